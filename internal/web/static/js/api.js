// The client of Tally's APIs: the AWS JSON 1.1 API of Cost Explorer and
// Budgets (POST / with X-Amz-Target, exactly what the SDKs send) and the
// UI's own read-only endpoints, every request signed with SigV4.
import { sign } from './sigv4.js';

const TARGETS = {
  ce: { prefix: 'AWSInsightsIndexService.', service: 'ce' },
  budgets: { prefix: 'AWSBudgetServiceGateway.', service: 'budgets' },
};

/** ApiError is a failed request: the AWS error type, HTTP status and message. */
export class ApiError extends Error {
  constructor(type, status, message) {
    super(message || type);
    this.type = type;
    this.status = status;
  }

  /** notImplemented tells whether the server lacks the operation (yet). */
  get notImplemented() {
    return this.type === 'NotImplementedException' || this.status === 501;
  }

  /** auth tells whether the credentials were refused. */
  get auth() {
    return this.status === 403 && /Signature|Client|Token|Credential|AccessDenied/.test(this.type);
  }
}

/** Client signs requests with one access key. */
export class Client {
  /**
   * @param {object} o
   * @param {string} o.accessKeyId
   * @param {string} o.secret
   * @param {() => Date} o.now the server-corrected clock
   */
  constructor({ accessKeyId, secret, now }) {
    this.accessKeyId = accessKeyId;
    this.secret = secret;
    this.now = now;
  }

  /** call runs one API operation: service is "ce" or "budgets". */
  async call(service, op, input = {}) {
    const t = TARGETS[service];
    const body = JSON.stringify(input);
    const headers = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': t.prefix + op };
    const auth = sign({
      method: 'POST', host: location.host, path: '/', headers, body,
      accessKeyId: this.accessKeyId, secret: this.secret, service: t.service, date: this.now(),
    });
    let resp;
    try {
      resp = await fetch('/', { method: 'POST', headers: { ...headers, ...auth }, body });
    } catch (e) {
      throw new ApiError('NetworkError', 0, `cannot reach the Tally server: ${e.message}`);
    }
    const text = await resp.text();
    let data = {};
    try {
      data = text ? JSON.parse(text) : {};
    } catch {
      throw new ApiError('SerializationException', resp.status, `unreadable answer to ${op}: ${text.slice(0, 200)}`);
    }
    if (!resp.ok) {
      const type = String(data.__type || resp.headers.get('x-amzn-errortype') || 'Error').split('#').pop().split(':')[0];
      throw new ApiError(type, resp.status, data.Message || data.message || `${op} failed with HTTP ${resp.status}`);
    }
    return data;
  }

  /**
   * all runs a paginated operation to the end and concatenates the list
   * under key. inToken/outToken name the token members (NextToken or
   * NextPageToken).
   */
  async all(service, op, input, key, { inToken = 'NextToken', outToken = 'NextToken', max = 100 } = {}) {
    const out = [];
    let token;
    for (let page = 0; page < max; page++) {
      const req = token ? { ...input, [inToken]: token } : input;
      const resp = await this.call(service, op, req);
      out.push(...(resp[key] || []));
      token = resp[outToken];
      if (!token) return out;
    }
    throw new ApiError('TooManyPages', 0, `${op} returned more than ${max} pages`);
  }

  /** post asks one of the UI's endpoints to act (POST /ui/api/...?params), without a body. */
  async post(path, params = {}) {
    const enc = (v) => encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
    const query = Object.keys(params).sort().map((k) => `${enc(k)}=${enc(params[k])}`).join('&');
    const auth = sign({
      method: 'POST', host: location.host, path, query, accessKeyId: this.accessKeyId, secret: this.secret,
      service: 'tally', date: this.now(),
    });
    const resp = await fetch(`${path}?${query}`, { method: 'POST', headers: auth });
    const data = await resp.json().catch(() => ({}));
    if (!resp.ok) throw new ApiError(data.code || 'Error', resp.status, data.error || data.message || `POST ${path}: HTTP ${resp.status}`);
    return data;
  }

  /** get reads one of the UI's endpoints (GET /ui/api/...[?query]). */
  async get(path) {
    const [bare, search = ''] = path.split('?');
    const auth = sign({
      method: 'GET', host: location.host, path: bare, query: canonicalQuery(search), accessKeyId: this.accessKeyId, secret: this.secret,
      service: 'tally', date: this.now(),
    });
    const resp = await fetch(path, { headers: auth });
    const data = await resp.json().catch(() => ({}));
    if (!resp.ok) throw new ApiError(data.code || 'Error', resp.status, data.error || `GET ${path}: HTTP ${resp.status}`);
    return data;
  }
}

/**
 * canonicalQuery is SigV4's canonical query string: parameters sorted by
 * name (then value), names and values percent-encoded as RFC 3986 says.
 */
export function canonicalQuery(search) {
  const enc = (v) => encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return [...new URLSearchParams(search)].map(([k, v]) => [enc(k), enc(v)])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`).join('&');
}
