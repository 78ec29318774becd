// The delegators' page: loads the configuration, reads the pools through the wallet (or the
// read-only RPC URL), renders the views and runs the actions. No state lives on the server.

import { getAddress } from "viem";

import { formatExact } from "./amounts.js";
import * as actions from "./actions.js";
import { readAccount } from "./account.js";
import { checkDeposit, checkFee, checkRedeem } from "./checks.js";
import { loadConfig } from "./config.js";
import { byId, setFieldError } from "./dom.js";
import { explain } from "./errors.js";
import { readHistory } from "./history.js";
import { readPools } from "./pool_fields.js";
import { Reader } from "./reader.js";
import { networkProblem, Sender, TransactionLog } from "./transactions.js";
import { renderAccount } from "./views/account_view.js";
import { depositPreviewText, redeemPreviewText, renderPoolPanel } from "./views/pool_panel.js";
import { renderPools, roundLine } from "./views/pools_view.js";
import { Wallet } from "./wallet.js";

const nodes = {
  networkLine: byId("network-line"),
  connectButton: byId("connect-button"),
  accountLine: byId("account-line"),
  networkAlert: byId("network-alert"),
  networkAlertText: byId("network-alert-text"),
  switchButton: byId("switch-network-button"),
  pageError: byId("page-error"),
  refreshButton: byId("refresh-button"),
  roundLine: byId("round-line"),
  poolsBody: byId("pools-body"),
  noPools: byId("no-pools"),
  accountSection: byId("account-section"),
  account: { balance: byId("nmr-balance"), table: byId("positions-table"), body: byId("positions-body"), note: byId("positions-note") },
  panelSection: byId("pool-panel"),
  panel: {
    title: byId("pool-title"),
    chart: byId("pool-chart"),
    facts: byId("pool-facts"),
    connectHint: byId("pool-connect-hint"),
    actions: byId("pool-actions"),
    depositInput: byId("deposit-amount"),
    depositPreview: byId("deposit-preview"),
    depositSubmit: byId("deposit-submit"),
    redeemInput: byId("redeem-shares"),
    redeemPreview: byId("redeem-preview"),
    claimText: byId("claim-text"),
    claimButton: byId("claim-button"),
    pendingList: byId("pending-list"),
    ownerBox: byId("owner-box"),
    feeHelp: byId("fee-help"),
    feesOwed: byId("fees-owed"),
    claimFeesButton: byId("claim-fees-button"),
  },
};

const app = {
  config: null,
  wallet: Wallet.detect(),
  walletChainId: null,
  account: null,
  walletReader: null,
  rpcReader: null,
  sender: null,
  chain: null,
  history: new Map(),
  accountData: null,
  selected: null,
  busy: false,
  lastBlock: null,
  refreshing: null,
};

const log = new TransactionLog(byId("tx-log"), byId("tx-status"));

function showPageError(message) {
  nodes.pageError.textContent = message;
  nodes.pageError.hidden = !message;
}

/** The reader for this moment: the wallet when it is on the deployment's chain, else the RPC URL. */
function activeReader() {
  if (app.wallet && app.walletChainId === app.config.chainId) return app.walletReader;
  return app.rpcReader;
}

function renderNetwork() {
  const problem = app.wallet && app.walletChainId !== null ? networkProblem(app.config, app.walletChainId) : null;
  nodes.networkAlert.hidden = !problem;
  nodes.networkAlertText.textContent = problem ?? "";
  const reader = activeReader();
  const via = reader === null ? "nothing to read through" : reader.viaWallet ? "reading through your wallet" : "reading through the RPC URL";
  nodes.networkLine.textContent = `${app.config.network} · chain id ${app.config.chainId} · factory ${app.config.factory} · ${via}`;
  if (!app.wallet) {
    nodes.connectButton.disabled = true;
    nodes.connectButton.textContent = "No wallet found";
    nodes.accountLine.textContent = "Install a browser wallet (MetaMask, Rabby, Frame) to deposit; the pools can still be browsed.";
  } else if (app.account) {
    nodes.connectButton.textContent = "Connected";
    nodes.connectButton.disabled = true;
    nodes.accountLine.textContent = `Account ${app.account}`;
  }
}

function select(address, { focus = true } = {}) {
  app.selected = address;
  history.replaceState(null, "", `#pool=${address}`);
  render();
  if (focus) nodes.panel.title.focus();
}

function render() {
  renderNetwork();
  const chain = app.chain;
  if (!chain) return;
  nodes.roundLine.textContent = roundLine(chain);
  nodes.noPools.hidden = chain.pools.length > 0;
  renderPools(nodes.poolsBody, chain, app.history, app.selected, (address) => select(address));
  nodes.accountSection.hidden = !app.accountData;
  if (app.accountData) renderAccount(nodes.account, chain, app.accountData, (address) => select(address));
  const pool = chain.pools.find((p) => p.address === app.selected);
  nodes.panelSection.hidden = !pool;
  if (pool) {
    renderPoolPanel(nodes.panel, { pool, chain, history: app.history, accountData: app.accountData, account: app.account }, {
      onCancel: (side, round) => onCancel(pool, side, round),
    });
  }
  showBusy(app.busy);
}

async function readEverything() {
  const reader = activeReader();
  if (!reader) {
    app.chain = null;
    showPageError(app.wallet
      ? "Switch your wallet to the pools' network to see them (or start `ape pools web --rpc-url URL` to read without it)."
      : "No browser wallet and no read-only RPC URL: install a wallet, or start `ape pools web --rpc-url URL`.");
    renderNetwork();
    return;
  }
  const block = await reader.client.getBlockNumber({ cacheTime: 0 });
  if (!reader.checkedFactory) {
    const code = await reader.client.getCode({ address: app.config.factory });
    if (!code || code === "0x") {
      throw new Error(`There is no factory at ${app.config.factory} on chain ${app.config.chainId}: `
        + `${app.config.deploymentsFile} is stale; deploy again or restart \`ape pools web\` with the right --network`);
    }
    reader.checkedFactory = true;
  }
  const chain = await readPools(reader);
  const accountData = app.account ? await readAccount(reader, chain, app.account) : null;
  app.chain = chain;
  app.accountData = accountData;
  if (app.selected === null) {
    const wanted = /^#pool=(0x[0-9a-fA-F]{40})$/.exec(location.hash)?.[1];
    app.selected = chain.pools.find((p) => p.address.toLowerCase() === wanted?.toLowerCase())?.address ?? null;
  }
  showPageError("");
  render();
  try {
    app.history = await readHistory(reader, chain.pools);
    render();
  } catch (error) {
    showPageError(`The price history could not be read (${explain(error)}); the rest of the page is up to date.`);
  }
  app.lastBlock = block;
  document.body.dataset.block = String(block);
}

/** Counters on <body> (data-refreshes, data-actions) that tell a watcher the page has settled. */
function count(name) {
  document.body.dataset[name] = String(Number(document.body.dataset[name] ?? 0) + 1);
}

/** Read everything again (one refresh at a time; a request during one runs once more after it). */
async function refresh() {
  if (app.refreshing) {
    app.refreshAgain = true;
    return app.refreshing;
  }
  app.refreshing = (async () => {
    do {
      app.refreshAgain = false;
      try {
        await readEverything();
      } catch (error) {
        showPageError(explain(error));
      }
      count("refreshes");
    } while (app.refreshAgain);
  })();
  try {
    await app.refreshing;
  } finally {
    app.refreshing = null;
  }
}

/** While an action runs its buttons are disabled (the claim buttons' state is the panel's). */
function showBusy(busy) {
  nodes.panel.actions.setAttribute("aria-busy", busy ? "true" : "false");
  for (const button of nodes.panel.actions.querySelectorAll("button")) {
    if (busy) button.disabled = true;
    else if (button !== nodes.panel.claimButton && button !== nodes.panel.claimFeesButton) button.disabled = false;
  }
}

/**
 * Run one action from a form: the wallet's network first (nothing is read for it or sent on
 * the wrong chain), then fresh data and the form's checks, then the transactions.
 */
async function act(input, errorNode, check, run) {
  if (app.busy) return; // one action at a time: a second click while one runs does nothing
  app.busy = true;
  const trigger = document.activeElement; // disabling it drops the focus: it comes back after
  showBusy(true);
  try {
    await checkAndRun(input ?? errorNode, errorNode, check, run);
  } finally {
    app.busy = false;
    showBusy(false);
    await refresh();
    const lost = document.activeElement === null || document.activeElement === document.body;
    if (lost && trigger?.isConnected && !trigger.disabled) trigger.focus();
    count("actions");
  }
}

async function checkAndRun(input, errorNode, check, run) {
  setFieldError(input, errorNode, "");
  const pool = app.chain?.pools.find((p) => p.address === app.selected);
  if (!app.account || !pool) {
    setFieldError(input, errorNode, "Connect your wallet and choose a pool first.");
    return;
  }
  app.walletChainId = await app.wallet.chainId();
  const problem = networkProblem(app.config, app.walletChainId);
  if (problem) {
    renderNetwork();
    setFieldError(input, errorNode, `${problem} Nothing was sent.`);
    return;
  }
  await refresh();
  const fresh = app.chain.pools.find((p) => p.address === app.selected);
  let value;
  try {
    value = check(fresh);
  } catch (error) {
    setFieldError(input, errorNode, error.message);
    input.focus();
    return;
  }
  try {
    await run(fresh, value);
    if (input.tagName === "INPUT") input.value = "";
  } catch (error) {
    errorNode.textContent = error.message;
  }
}

function positionOf(pool) {
  return app.accountData.positions.get(pool.address);
}

async function onCancel(pool, side, round) {
  const errorNode = byId("cancel-error");
  await act(null, errorNode, () => round, (fresh) => actions.cancel(app.sender, fresh, app.account, side, round));
}

async function connect() {
  try {
    app.account = await app.wallet.connect();
    app.walletChainId = await app.wallet.chainId();
    app.sender = new Sender(app.config, app.wallet, app.walletReader, log);
    renderNetwork();
    await refresh();
  } catch (error) {
    nodes.accountLine.textContent = explain(error);
  }
}

function wire() {
  const p = nodes.panel;
  nodes.connectButton.addEventListener("click", connect);
  nodes.refreshButton.addEventListener("click", () => refresh());
  nodes.switchButton.addEventListener("click", async () => {
    try {
      await app.wallet.switchChain(app.config.chainId);
    } catch (error) {
      nodes.networkAlertText.textContent = `${nodes.networkAlertText.textContent} (${explain(error)})`;
    }
  });
  byId("deposit-form").addEventListener("submit", (event) => {
    event.preventDefault();
    act(p.depositInput, byId("deposit-error"),
      (pool) => checkDeposit(p.depositInput.value, pool, app.accountData.nmrBalance),
      (pool, amount) => actions.deposit(app.sender, app.walletReader, pool, app.account, amount));
  });
  byId("redeem-form").addEventListener("submit", (event) => {
    event.preventDefault();
    act(p.redeemInput, byId("redeem-error"),
      (pool) => checkRedeem(p.redeemInput.value, positionOf(pool)),
      (pool, shares) => actions.redeem(app.sender, pool, app.account, shares));
  });
  p.claimButton.addEventListener("click", () => {
    act(p.claimButton, byId("claim-error"), () => null, (pool) => actions.claim(app.sender, app.walletReader, pool, app.account));
  });
  byId("fee-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = byId("fee-input");
    act(input, byId("fee-error"), (pool) => checkFee(input.value, pool, app.chain.feeCapBps),
      (pool, bps) => actions.setFee(app.sender, pool, bps));
  });
  p.claimFeesButton.addEventListener("click", () => {
    act(p.claimFeesButton, byId("claim-fees-error"), () => null, (pool) => actions.claimFees(app.sender, pool, app.account));
  });
  byId("deposit-max").addEventListener("click", () => {
    const pool = app.chain?.pools.find((x) => x.address === app.selected);
    if (!pool || !app.accountData) return;
    const balance = app.accountData.nmrBalance;
    const most = pool.unlimited || balance < pool.depositRoom ? balance : pool.depositRoom;
    p.depositInput.value = formatExact(most);
    p.depositPreview.textContent = depositPreviewText(pool, app.chain, p.depositInput.value);
  });
  byId("redeem-all").addEventListener("click", () => {
    const pool = app.chain?.pools.find((x) => x.address === app.selected);
    if (!pool || !app.accountData) return;
    p.redeemInput.value = formatExact(positionOf(pool).shares);
    p.redeemPreview.textContent = redeemPreviewText(pool, app.chain, p.redeemInput.value);
  });
  p.depositInput.addEventListener("input", () => {
    const pool = app.chain?.pools.find((x) => x.address === app.selected);
    if (pool) p.depositPreview.textContent = depositPreviewText(pool, app.chain, p.depositInput.value);
  });
  p.redeemInput.addEventListener("input", () => {
    const pool = app.chain?.pools.find((x) => x.address === app.selected);
    if (pool) p.redeemPreview.textContent = redeemPreviewText(pool, app.chain, p.redeemInput.value);
  });
  if (app.wallet) {
    app.wallet.on("accountsChanged", async (accounts) => {
      app.account = accounts && accounts.length ? getAddress(accounts[0]) : null;
      app.wallet.account = app.account;
      if (!app.account) {
        app.accountData = null;
        nodes.connectButton.disabled = false;
        nodes.connectButton.textContent = "Connect wallet";
        nodes.accountLine.textContent = "";
      }
      await refresh();
    });
    app.wallet.on("chainChanged", async (hex) => {
      app.walletChainId = Number(BigInt(hex));
      // a form's message about the old network no longer applies
      for (const node of document.querySelectorAll("#pool-actions .error")) node.textContent = "";
      app.walletReader = new Reader(app.config, app.wallet.provider);
      if (app.account) app.sender = new Sender(app.config, app.wallet, app.walletReader, log);
      await refresh();
    });
  }
}

/** Read again whenever a new block arrives (checked every few seconds; skipped during a transaction). */
function poll() {
  setInterval(async () => {
    const reader = activeReader();
    if (!reader || app.busy || app.refreshing) return;
    try {
      const block = await reader.client.getBlockNumber({ cacheTime: 0 });
      if (block !== app.lastBlock) await refresh();
    } catch {
      // the next tick tries again; a lasting problem shows on the next refresh
    }
  }, app.config.pollSeconds * 1000);
}

async function start() {
  try {
    app.config = await loadConfig();
  } catch (error) {
    showPageError(error.message);
    nodes.networkLine.textContent = "";
    return;
  }
  byId("chart-header").textContent = `Price per share, last ${app.config.historyRounds} settled rounds`;
  if (app.config.rpcUrl) app.rpcReader = new Reader(app.config, app.config.rpcUrl);
  if (app.wallet) {
    app.walletReader = new Reader(app.config, app.wallet.provider);
    try {
      app.walletChainId = await app.wallet.chainId();
      // a wallet that already shared an account with this page answers without a prompt
      const known = await app.wallet.provider.request({ method: "eth_accounts" });
      if (known && known.length) {
        app.account = getAddress(known[0]);
        app.wallet.account = app.account;
        app.sender = new Sender(app.config, app.wallet, app.walletReader, log);
      }
    } catch (error) {
      showPageError(`The wallet did not answer (${explain(error)}).`);
    }
  }
  wire();
  await refresh();
  poll();
}

start();
