#!/usr/bin/env node
// Times one ONNX model with ONNX Runtime (onnxruntime-node, CPU execution
// provider): the ORT side of bench/compare.sh.
//
//   node bench/ort/run.mjs MODEL.onnx [--threads N] [--warmup W] [--repeats R]
//        [--input NAME=FILE.npy]... [--save-outputs DIR]
//
// Session: intraOpNumThreads N, interOpNumThreads 1, graph optimisation 'all'
// (ORT's default), sequential execution, CPU provider. W untimed runs, then R
// timed runs of session.run(). Prints one JSON line to stdout:
//   {"median_ms":..,"p10_ms":..,"p90_ms":.., "min_ms":.., "ort_version":"..", ...}
// and, with --save-outputs, writes each output as DIR/NAME.npy ('/' and ':' in
// NAME become '_', as chipfit does) from the first run. Every model input needs an
// --input. Quantiles are nearest-rank, as in `chipfit profile`.
// Exit status: 0 ok, 1 a failure (message on stderr), 2 usage.

import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readNpy, writeNpy } from './npy.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const USAGE = `usage: node bench/ort/run.mjs MODEL.onnx [--threads N] [--warmup W] [--repeats R]
                           [--input NAME=FILE.npy]... [--save-outputs DIR]`;

function usage(msg) {
  process.stderr.write(`run.mjs: ${msg}\n${USAGE}\n`);
  process.exit(2);
}

function die(msg) {
  process.stderr.write(`run.mjs: ${msg}\n`);
  process.exit(1);
}

function parseArgs(argv) {
  const a = { model: null, threads: 1, warmup: 5, repeats: 20, inputs: [], saveDir: null };
  const int = (name, v, min) => {
    if (v === undefined || !/^\d+$/.test(v) || parseInt(v, 10) < min) usage(`${name} needs an integer >= ${min}`);
    return parseInt(v, 10);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const [opt, inline] = arg.startsWith('--') && eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
    const value = () => (inline !== undefined ? inline : argv[++i]);
    switch (opt) {
      case '--threads': a.threads = int(opt, value(), 1); break;
      case '--warmup': a.warmup = int(opt, value(), 0); break;
      case '--repeats': a.repeats = int(opt, value(), 1); break;
      case '--input': {
        const v = value();
        const k = v ? v.indexOf('=') : -1;
        if (k <= 0 || k === v.length - 1) usage('--input needs NAME=FILE.npy');
        a.inputs.push([v.slice(0, k), v.slice(k + 1)]);
        break;
      }
      case '--save-outputs': a.saveDir = value(); if (!a.saveDir) usage('--save-outputs needs DIR'); break;
      case '-h': case '--help': process.stdout.write(`${USAGE}\n`); process.exit(0); break;
      default:
        if (arg.startsWith('-')) usage(`unknown option ${arg}`);
        if (a.model) usage(`one model only (got ${a.model} and ${arg})`);
        a.model = arg;
    }
  }
  if (!a.model) usage('no model given');
  return a;
}

function loadOrt() {
  const require = createRequire(import.meta.url);
  try {
    return require('onnxruntime-node');
  } catch (e) {
    if (e.code === 'MODULE_NOT_FOUND' && String(e.message).includes("'onnxruntime-node'")) {
      die(`onnxruntime-node is not installed: run \`npm ci\` in ${HERE} (see bench/README.md)`);
    }
    die(`cannot load onnxruntime-node: ${e.message}`);
  }
}

function quantile(sorted, q) {
  const n = sorted.length;
  const i = Math.floor(q * (n - 1) + 0.5);
  return sorted[Math.min(Math.max(i, 0), n - 1)];
}

async function main() {
  const a = parseArgs(process.argv.slice(2));
  const ort = loadOrt();
  const opts = {
    executionProviders: ['cpu'],
    intraOpNumThreads: a.threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
  };
  let session;
  try {
    session = await ort.InferenceSession.create(a.model, opts);
  } catch (e) {
    die(`${a.model}: ${e.message}`);
  }

  const feeds = {};
  for (const [name, file] of a.inputs) {
    if (!session.inputNames.includes(name)) {
      usage(`${a.model} has no input '${name}' (inputs: ${session.inputNames.join(', ')})`);
    }
    let t;
    try {
      t = readNpy(file);
    } catch (e) {
      die(e.message);
    }
    feeds[name] = new ort.Tensor(t.type, t.data, t.shape);
  }
  const missing = session.inputNames.filter((n) => !(n in feeds));
  if (missing.length) usage(`no --input for ${missing.join(', ')}`);

  // The first run is untimed and gives the outputs to save (as chipfit does).
  let out;
  try {
    out = await session.run(feeds);
  } catch (e) {
    die(`${a.model}: run failed: ${e.message}`);
  }
  if (a.saveDir) {
    mkdirSync(a.saveDir, { recursive: true });
    for (const name of session.outputNames) {
      const file = path.join(a.saveDir, `${name.replace(/[/:]/g, '_')}.npy`);
      try {
        writeNpy(file, out[name]);
      } catch (e) {
        die(e.message);
      }
    }
  }
  for (let w = 1; w < a.warmup; w++) await session.run(feeds);

  const times = [];
  for (let r = 0; r < a.repeats; r++) {
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((x, y) => x - y);
  const round = (x) => Math.round(x * 1e4) / 1e4;
  const result = {
    median_ms: round(quantile(times, 0.5)),
    p10_ms: round(quantile(times, 0.1)),
    p90_ms: round(quantile(times, 0.9)),
    min_ms: round(times[0]),
    kind: 'measured',
    ort_version: ort.env.versions?.node ?? ort.env.versions?.common ?? 'unknown',
    model: a.model,
    threads: a.threads,
    warmup: a.warmup,
    repeats: a.repeats,
  };
  await session.release?.();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((e) => die(e.stack || String(e)));
