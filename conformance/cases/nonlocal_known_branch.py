# A counter made by a closure, called in an `if` whose condition is known when tx compiles: only
# that branch runs, in the block around it, so the closure's nonlocal reaches its maker (it was E0126).
def make_counter():
    count = 0
    def bump():
        nonlocal count
        count += 1
        return count
    return bump

tick = make_counter()
verbose = True
if verbose:
    tick()
    tick()
print(tick())
