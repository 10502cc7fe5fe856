// `createEndpoint` picks a backend by the URL's prefix: HTTP(S) URLs speak the OpenAI protocol
// (openai-endpoint.ts), `gguf:PATH` is a local model (src/gguf/endpoint.ts). Backends load lazily,
// so node-llama-cpp is imported only when a `gguf:` endpoint is asked for.
import { PhikitError } from '../core/errors.js';
import type { Endpoint, EndpointOptions, EndpointSpec } from '../core/endpoint.js';

type EndpointFactory = (spec: EndpointSpec, options: EndpointOptions) => Promise<Endpoint>;

/** Backends by URL prefix, other than http(s). */
const PREFIXED_BACKENDS: Readonly<Record<string, () => Promise<EndpointFactory>>> = {
  'gguf:': async () => (await import('../gguf/endpoint.js')).createGgufEndpoint,
};

/** `NAME=URL` from the command line. */
export function parseEndpointSpec(text: string): EndpointSpec {
  const at = text.indexOf('=');
  if (at <= 0 || at === text.length - 1) {
    throw new PhikitError(
      'USAGE',
      `--endpoint must be NAME=URL (got "${text}")`,
      'e.g. --endpoint base=http://127.0.0.1:8000/v1',
    );
  }
  const spec = { name: text.slice(0, at), url: text.slice(at + 1) };
  if (isHttpUrl(spec.url) && !URL.canParse(spec.url)) {
    throw new PhikitError(
      'USAGE',
      `--endpoint ${spec.name}: "${spec.url}" is not a valid URL`,
      'e.g. --endpoint base=http://127.0.0.1:8000/v1',
    );
  }
  return spec;
}

function isHttpUrl(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

export async function createEndpoint(spec: EndpointSpec, options: EndpointOptions): Promise<Endpoint> {
  for (const [prefix, loadFactory] of Object.entries(PREFIXED_BACKENDS)) {
    if (spec.url.startsWith(prefix)) return (await loadFactory())(spec, options);
  }
  if (isHttpUrl(spec.url)) {
    if (!URL.canParse(spec.url)) {
      throw new PhikitError(
        'USAGE',
        `endpoint "${spec.name}": "${spec.url}" is not a valid URL`,
        'give the base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1',
      );
    }
    const { OpenAiEndpoint } = await import('./openai-endpoint.js');
    return new OpenAiEndpoint(spec, options);
  }
  throw new PhikitError(
    'USAGE',
    `endpoint "${spec.name}": unsupported URL "${spec.url}"`,
    `use an http(s) URL of an OpenAI-compatible server or ${Object.keys(PREFIXED_BACKENDS).join(', ')}PATH`,
  );
}
