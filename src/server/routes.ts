/** Every endpoint the server answers, in the order /openapi.json lists them. */
import { CORE_ENDPOINTS } from './api.js';
import { CONTROL_ENDPOINTS } from './control.js';
import type { ApiContext, Endpoint } from './endpoint.js';

export function apiEndpoints(_ctx: ApiContext): Endpoint[] {
  return [...CORE_ENDPOINTS, ...CONTROL_ENDPOINTS];
}
