// Exact decimal amounts. The API sends amounts as decimal strings; the page
// adds them as BigInts scaled by 1e10 (Tally's own precision), so that table
// totals equal the API's numbers to the last digit, and rounds only to show.

const SCALE_DIGITS = 10;
const SCALE = 10n ** BigInt(SCALE_DIGITS);

/** parse reads a decimal string ("12.5", "-0.0000000001", "3e-4") as a scaled BigInt. */
export function parse(s) {
  if (s === undefined || s === null || s === '') return 0n;
  let str = String(s).trim();
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(str);
  if (!m) throw new Error(`not a decimal amount: ${str}`);
  const [, sign, intPart, fracPart = '', expPart] = m;
  let digits = (intPart || '0') + fracPart;
  let exp = (expPart ? parseInt(expPart, 10) : 0) - fracPart.length + SCALE_DIGITS;
  let v;
  if (exp >= 0) {
    v = BigInt(digits) * 10n ** BigInt(exp);
  } else {
    const cut = -exp;
    const q = BigInt(digits) / 10n ** BigInt(cut);
    const r = BigInt(digits) % 10n ** BigInt(cut);
    v = q + (r * 2n >= 10n ** BigInt(cut) ? 1n : 0n); // half away from zero
  }
  return sign === '-' ? -v : v;
}

/** sum adds scaled amounts. */
export function sum(values) {
  let t = 0n;
  for (const v of values) t += v;
  return t;
}

/** toNumber converts a scaled amount to a float, for drawing only. */
export function toNumber(v) {
  return Number(v) / Number(SCALE);
}

/** round returns v rounded to the given decimals, half away from zero, still scaled. */
export function round(v, decimals = 2) {
  const unit = 10n ** BigInt(SCALE_DIGITS - decimals);
  const neg = v < 0n;
  const a = neg ? -v : v;
  let q = a / unit;
  if ((a % unit) * 2n >= unit) q += 1n;
  return (neg && q !== 0n ? -q : q) * unit;
}

/** plain prints v exactly, without trailing zeros: "1234.5", "-0.0001", "0". */
export function plain(v) {
  const neg = v < 0n;
  const a = neg ? -v : v;
  const int = a / SCALE;
  let frac = (a % SCALE).toString().padStart(SCALE_DIGITS, '0').replace(/0+$/, '');
  return (neg ? '-' : '') + int.toString() + (frac ? '.' + frac : '');
}

/** fixed prints v rounded to decimals with thousands separators: "1,234.56". */
export function fixed(v, decimals = 2) {
  const r = round(v, decimals);
  const neg = r < 0n;
  const a = neg ? -r : r;
  const unit = 10n ** BigInt(SCALE_DIGITS - decimals);
  const cents = a / unit;
  const div = 10n ** BigInt(decimals);
  const int = (cents / div).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const frac = decimals > 0 ? '.' + (cents % div).toString().padStart(decimals, '0') : '';
  return (neg ? '-' : '') + int + frac;
}

/** format shows an amount with its unit: "$1,234.56", "-$3.00", "12.50 Hrs". */
export function format(v, unit) {
  if (unit === 'USD') {
    const s = fixed(v);
    return s.startsWith('-') ? '-$' + s.slice(1) : '$' + s;
  }
  const s = fixed(v);
  return unit && unit !== 'N/A' ? `${s} ${unit}` : s;
}

/** compact shows an amount for an axis label: "$1.2k", "$3.4M". */
export function compact(n, unit) {
  const abs = Math.abs(n);
  let s;
  if (abs >= 1e9) s = (n / 1e9).toFixed(abs >= 1e10 ? 0 : 1) + 'B';
  else if (abs >= 1e6) s = (n / 1e6).toFixed(abs >= 1e7 ? 0 : 1) + 'M';
  else if (abs >= 1e3) s = (n / 1e3).toFixed(abs >= 1e4 ? 0 : 1) + 'k';
  else s = abs >= 10 || n === 0 ? n.toFixed(0) : n.toFixed(2);
  s = s.replace(/\.0(?=[kMB]?$)/, '');
  if (unit === 'USD') return s.startsWith('-') ? '-$' + s.slice(1) : '$' + s;
  return s;
}
