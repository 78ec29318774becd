// Mainnet NMR's approve rule (DESIGN.md §6), handled so a delegator never sees a bare revert:
// `approve(spender, value)` reverts unless value == 0 or the current allowance is 0; a non-zero
// allowance is changed with `changeApproval(spender, old_value, new_value)`.

/**
 * The NMR call that lets `spender` take `amount`, given the `current` allowance:
 * null when the allowance already covers it, `approve` from zero, `changeApproval` otherwise.
 */
export function allowanceStep(spender, current, amount) {
  if (current >= amount) return null;
  if (current === 0n) return { functionName: "approve", args: [spender, amount] };
  return { functionName: "changeApproval", args: [spender, current, amount] };
}
