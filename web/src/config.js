// The page's configuration, served by `ape pools web` as /config.json: the deployment (chain
// id, factory, NMR, deployment block) and the ABIs of the compiled project, so they never drift.

import { getAddress } from "viem";

const ABI_NAMES = ["DelegationPool", "PoolFactory", "NMR"];

export class ConfigError extends Error {}

/** Fetch and check /config.json; ConfigError with a sentence when it is unusable. */
export async function loadConfig(url = "config.json") {
  let document;
  try {
    const response = await fetch(url, { cache: "no-store" });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    document = await response.json();
  } catch (error) {
    throw new ConfigError(`The page could not load its configuration (${error.message}); restart \`ape pools web\`.`);
  }
  for (const name of ABI_NAMES) {
    if (!Array.isArray(document.abis?.[name])) throw new ConfigError(`The configuration has no ${name} ABI; restart \`ape pools web\`.`);
  }
  return {
    network: String(document.network),
    deploymentsFile: String(document.deploymentsFile),
    chainId: Number(document.chainId),
    deploymentBlock: BigInt(document.deploymentBlock ?? 0),
    factory: getAddress(document.factory),
    nmr: getAddress(document.nmr),
    rpcUrl: document.rpcUrl ? String(document.rpcUrl) : null,
    historyRounds: BigInt(document.historyRounds ?? 90),
    pollSeconds: Number(document.pollSeconds ?? 6),
    abis: document.abis,
  };
}
