from parallelize import parallel_for


@parallel_for(loop=False)
def simulate(trial, n_steps):
    state = 0
    history = []
    for step in range(n_steps):
        state = state + step
        if state > 100:
            break
        history.append(state)
    return history
