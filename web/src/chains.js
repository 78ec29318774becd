// Names of well-known chains, so a wrong network is named, not just numbered.

const KNOWN = new Map([
  [1, "Ethereum mainnet"],
  [10, "OP Mainnet"],
  [56, "BNB Smart Chain"],
  [100, "Gnosis"],
  [137, "Polygon"],
  [8453, "Base"],
  [17000, "Holesky"],
  [42161, "Arbitrum One"],
  [560048, "Hoodi"],
  [11155111, "Sepolia"],
  [1337, "a local development chain"],
  [31337, "a local development chain (anvil)"],
]);

/** "Ethereum mainnet (chain id 1)", or "chain id 12345" for chains it does not know. */
export function describeChain(chainId) {
  const name = KNOWN.get(Number(chainId));
  return name ? `${name} (chain id ${chainId})` : `chain id ${chainId}`;
}
