import logging

from parallelize import io_bound, parallel_for

logger = logging.getLogger(__name__)


@parallel_for
def fit_and_save(models, X, y, frames, out_dir, fig):
    fitted = []
    for m, frame in zip(models, frames):
        out_dir.mkdir(exist_ok=True)
        fitted.append(m.fit(X, y))  # the result is collected: the fitted copy comes back
        _ = m.validate()  # bound on purpose: called for what it returns, not to change `m`
        score = m.score(X, y)
        logger.info("score %s", score)
        frame.to_csv(out_dir / f"{score}.csv")
        fig.savefig(out_dir / f"{score}.png")
        (out_dir / "done").write_text("ok")
        model = m.clone()
        model.set_params(alpha=score)  # a fresh object: changing it is private to the iteration
        fitted.append(model)
    return fitted


@io_bound
def notify(clients, message):
    for client in clients:
        client.refresh(message)  # threads share memory: the caller sees the change
