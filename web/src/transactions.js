// Sending transactions through the wallet, one at a time, each shown in the page's
// transaction log as it goes: checking → confirm in your wallet → pending → confirmed (or a
// plain error). Every call is simulated first, so a revert is explained before anything is signed.

import { createClient, custom } from "viem";
import { writeContract } from "viem/actions";

import { describeChain } from "./chains.js";
import { el } from "./dom.js";
import { explain } from "./errors.js";
import { chainOf } from "./reader.js";

/** A transaction that did not go through; `message` is the sentence to show. */
export class TransactionFailed extends Error {}

/** Raised before anything is sent when the wallet is on another chain than the deployment. */
export class WrongNetwork extends Error {}

export class TransactionLog {
  constructor(list, status) {
    this.list = list; // <ol>: every transaction of this visit, newest first
    this.status = status; // role="status": the latest change, read out by screen readers
  }

  start(label) {
    const state = el("span", { class: "tx-state" });
    const item = el("li", { class: "tx" }, el("span", { class: "tx-label" }, label), " ", state);
    this.list.prepend(item);
    const update = (kind, text) => {
      item.dataset.state = kind;
      state.textContent = text;
      this.status.textContent = `${label}: ${text}`;
    };
    return {
      checking: () => update("checking", "checking…"),
      signing: () => update("signing", "confirm in your wallet…"),
      pending: (hash) => {
        update("pending", `pending (${hash.slice(0, 10)}…)`);
        item.title = hash;
      },
      confirmed: (block) => update("confirmed", `confirmed in block ${block}`),
      failed: (message) => update("failed", `failed: ${message}`),
    };
  }
}

/** The sentence naming a wrong network, or null when the wallet is on the deployment's chain. */
export function networkProblem(config, chainId) {
  if (chainId === config.chainId) return null;
  return `Your wallet is on ${describeChain(chainId)}, but these pools are on ${describeChain(config.chainId)} `
    + `(${config.network}): switch your wallet to chain id ${config.chainId}.`;
}

export class Sender {
  constructor(config, wallet, reader, log) {
    this.config = config;
    this.wallet = wallet;
    this.reader = reader; // reads through the wallet, so simulations see what the wallet will sign
    this.log = log;
    this.client = createClient({ chain: chainOf(config), transport: custom(wallet.provider) });
  }

  /** Throws WrongNetwork unless the wallet is (still) on the deployment's chain. */
  async checkNetwork() {
    const problem = networkProblem(this.config, await this.wallet.chainId());
    if (problem) throw new WrongNetwork(`${problem} Nothing was sent.`);
  }

  /**
   * Simulate, sign and wait for one call {label, contract, address, functionName, args};
   * returns the receipt or throws TransactionFailed with the sentence the log shows.
   */
  async send({ label, contract, address, functionName, args }) {
    const entry = this.log.start(label);
    const request = { abi: this.config.abis[contract], address, functionName, args, account: this.wallet.account };
    try {
      entry.checking();
      await this.checkNetwork();
      await this.reader.client.simulateContract(request);
      entry.signing();
      const hash = await writeContract(this.client, { ...request, chain: chainOf(this.config) });
      entry.pending(hash);
      const receipt = await this.reader.client.waitForTransactionReceipt({ hash });
      if (receipt.status !== "success") throw new Error("The transaction was mined but reverted; nothing changed.");
      entry.confirmed(receipt.blockNumber);
      return receipt;
    } catch (error) {
      const message = error instanceof WrongNetwork ? error.message : explain(error);
      entry.failed(message);
      throw new TransactionFailed(message);
    }
  }
}
