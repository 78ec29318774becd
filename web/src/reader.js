// Chain reads: a viem public client over the wallet (EIP-1193) or the read-only RPC URL, and
// `readMany`, which reads many view functions in as few requests as the chain allows.

import { createClient, custom, defineChain, http } from "viem";
import {
  getBlockNumber, getCode, getLogs, multicall, readContract, simulateContract, waitForTransactionReceipt,
} from "viem/actions";

// Multicall3's address on every chain where it is deployed (mainnet, testnets, L2s)
const MULTICALL3 = "0xcA11bde05977b3631167028862bE2a173976CA11";
// at most this many separate eth_calls in flight when multicall is not available
const PARALLEL_CALLS = 16;

export function chainOf(config) {
  return defineChain({
    id: config.chainId,
    name: config.network,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: config.rpcUrl ? [config.rpcUrl] : [] } },
  });
}

export class Reader {
  /** `source`: an EIP-1193 provider (the wallet) or an RPC URL string. */
  constructor(config, source) {
    this.config = config;
    this.viaWallet = typeof source !== "string";
    // only the actions the page uses (viem's full public client would double the bundle)
    this.client = createClient({
      chain: chainOf(config),
      transport: this.viaWallet ? custom(source) : http(source, { batch: true }),
      pollingInterval: 1_000,
    }).extend((client) => ({
      getBlockNumber: (args) => getBlockNumber(client, args),
      getCode: (args) => getCode(client, args),
      getLogs: (args) => getLogs(client, args),
      multicall: (args) => multicall(client, args),
      readContract: (args) => readContract(client, args),
      simulateContract: (args) => simulateContract(client, args),
      waitForTransactionReceipt: (args) => waitForTransactionReceipt(client, args),
    }));
    this.strategy = null; // "multicall3" | "deployless" | "parallel", chosen on first use
  }

  contract(name, address) {
    return { abi: this.config.abis[name], address };
  }

  async chooseStrategy() {
    try {
      const code = await this.client.getCode({ address: MULTICALL3 });
      if (code && code !== "0x") return "multicall3";
      // Multicall3's code sent along with the call (deploys nothing): chains without it (anvil)
      const probe = { ...this.contract("PoolFactory", this.config.factory), functionName: "pool_count" };
      await this.client.multicall({ contracts: [probe], deployless: true, allowFailure: false });
      return "deployless";
    } catch {
      return "parallel";
    }
  }

  /** Read `calls` ({abi, address, functionName, args}) and return their results in order. */
  async readMany(calls) {
    if (calls.length === 0) return [];
    this.strategy ??= await this.chooseStrategy();
    if (this.strategy !== "parallel") {
      try {
        const options = this.strategy === "multicall3" ? { multicallAddress: MULTICALL3 } : { deployless: true };
        return await this.client.multicall({ contracts: calls, allowFailure: false, ...options });
      } catch (error) {
        // a contract call that reverts fails the same way one by one; anything else: read one by one
        if (error?.name === "ContractFunctionExecutionError") throw error;
        this.strategy = "parallel";
      }
    }
    const results = new Array(calls.length);
    let next = 0;
    const worker = async () => {
      while (next < calls.length) {
        const index = next++;
        results[index] = await this.client.readContract(calls[index]);
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_CALLS, calls.length) }, worker));
    return results;
  }
}
