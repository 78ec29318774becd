// The browser wallet (EIP-1193 provider, e.g. MetaMask, Rabby, Frame): accounts, chain id,
// and the events it sends when the person switches either. Every write is signed there.

import { getAddress } from "viem";

export class Wallet {
  constructor(provider) {
    this.provider = provider;
    this.account = null;
  }

  /** The injected provider, or null when the browser has no wallet. */
  static detect() {
    const provider = globalThis.ethereum;
    return provider && typeof provider.request === "function" ? new Wallet(provider) : null;
  }

  async chainId() {
    const hex = await this.provider.request({ method: "eth_chainId" });
    return Number(BigInt(hex));
  }

  /** Ask the wallet for an account (it shows its own prompt); returns the checksummed address. */
  async connect() {
    const accounts = await this.provider.request({ method: "eth_requestAccounts" });
    if (!accounts || accounts.length === 0) throw new Error("The wallet shared no account; unlock it and connect again.");
    this.account = getAddress(accounts[0]);
    return this.account;
  }

  /** Ask the wallet to switch to `chainId`; the wallet answers with a chainChanged event. */
  async switchChain(chainId) {
    await this.provider.request({ method: "wallet_switchEthereumChain", params: [{ chainId: `0x${chainId.toString(16)}` }] });
  }

  on(event, handler) {
    if (typeof this.provider.on === "function") this.provider.on(event, handler);
  }
}
