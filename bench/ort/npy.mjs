// A small .npy reader and writer (format versions 1.0, 2.0 and 3.0 read; 1.0
// written) for the element types chipfit's benchmark uses: float32, int64,
// int32, uint8, int8 (and bool, which some ONNX outputs have). C order only.

import { readFileSync, writeFileSync } from 'node:fs';

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // "\x93NUMPY"

// numpy descr (without the byte-order mark) -> ONNX Runtime tensor type and typed array.
const DTYPES = {
  f4: { ort: 'float32', array: Float32Array },
  i8: { ort: 'int64', array: BigInt64Array },
  i4: { ort: 'int32', array: Int32Array },
  u1: { ort: 'uint8', array: Uint8Array },
  i1: { ort: 'int8', array: Int8Array },
  b1: { ort: 'bool', array: Uint8Array },
};
const BY_ORT = Object.fromEntries(Object.entries(DTYPES).map(([k, v]) => [v.ort, k]));

function fail(path, what) {
  throw new Error(`${path}: ${what}`);
}

// The header is a Python dict literal, e.g.
//   {'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 224, 224), }
function parseHeader(path, text) {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text);
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(text);
  if (!descr || !fortran || !shape) fail(path, `unreadable .npy header: ${text.trim()}`);
  const dims = shape[1]
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      if (!/^\d+L?$/.test(s)) fail(path, `bad dimension '${s}' in .npy header`);
      return parseInt(s, 10);
    });
  return { descr: descr[1], fortran: fortran[1] === 'True', shape: dims };
}

/** Reads a .npy file: { type (ORT tensor type), data (typed array), shape (numbers) }. */
export function readNpy(path) {
  const buf = readFileSync(path);
  if (buf.length < 10 || !buf.subarray(0, 6).equals(MAGIC)) fail(path, 'not a .npy file (bad magic)');
  const major = buf[6];
  let headerLen, start;
  if (major === 1) {
    headerLen = buf.readUInt16LE(8);
    start = 10;
  } else if (major === 2 || major === 3) {
    headerLen = buf.readUInt32LE(8);
    start = 12;
  } else {
    fail(path, `unsupported .npy format version ${major}.${buf[7]}`);
  }
  const header = parseHeader(path, buf.toString(major === 3 ? 'utf8' : 'latin1', start, start + headerLen));
  if (header.fortran) fail(path, 'Fortran-order arrays are not supported (save it C-ordered)');
  const order = header.descr[0];
  const key = header.descr.slice(1);
  const dt = DTYPES[key];
  if (!dt || !'<|='.includes(order)) {
    fail(path, `element type '${header.descr}' not supported (float32, int64, int32, uint8, int8, bool; little-endian)`);
  }
  const count = header.shape.reduce((a, b) => a * b, 1);
  const offset = start + headerLen;
  const bytes = count * dt.array.BYTES_PER_ELEMENT;
  if (buf.length - offset !== bytes) {
    fail(path, `holds ${buf.length - offset} data bytes, the header (${header.descr}, shape [${header.shape}]) says ${bytes}`);
  }
  // Copy into a fresh, aligned buffer (the file buffer's offset need not be aligned).
  const data = new dt.array(count);
  new Uint8Array(data.buffer).set(buf.subarray(offset, offset + bytes));
  return { type: dt.ort, data, shape: header.shape };
}

/** Writes an ONNX Runtime tensor (type, data, dims) as a .npy file, format 1.0. */
export function writeNpy(path, tensor) {
  const key = BY_ORT[tensor.type];
  if (!key) throw new Error(`${path}: cannot write a tensor of type ${tensor.type} as .npy`);
  const order = key.endsWith('1') ? '|' : '<';
  const dims = tensor.dims.map((d) => String(d));
  const shape = dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
  let header = `{'descr': '${order}${key}', 'fortran_order': False, 'shape': ${shape}, }`;
  // Pad with spaces so that magic + version + length + header + '\n' is a multiple of 64.
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  if (header.length > 65535) throw new Error(`${path}: .npy header too long`);
  const pre = Buffer.alloc(10);
  MAGIC.copy(pre, 0);
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  const data = tensor.data;
  const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  writeFileSync(path, Buffer.concat([pre, Buffer.from(header, 'latin1'), body]));
}
