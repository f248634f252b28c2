from parallelize import parallel_for


@parallel_for(loop=1)
def two(xs):
    squares = []
    for x in xs:
        squares.append(x * x)
    for s in squares:
        print(s)
    return squares
