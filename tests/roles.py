"""The factory roles the test systems grant, on Ape and on titanoboa alike (Role flags)."""

# PoolFactory's Role flag values: SETTLER = 2, GUARDIAN = 4 (ADMIN = 1 stays with the deployer)
TEST_ROLES = {"settler": 2, "guardian": 4}
