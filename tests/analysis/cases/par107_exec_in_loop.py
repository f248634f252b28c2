from parallelize import parallel_for


@parallel_for
def run_snippets(snippets):
    for code in snippets:
        exec(code)  # PAR107
