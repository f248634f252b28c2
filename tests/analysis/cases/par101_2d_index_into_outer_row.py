from parallelize import parallel_for


@parallel_for
def grid(n, board):
    for i in range(n):
        board[i][i] = 1  # PAR101
