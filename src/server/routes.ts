/** Every endpoint the server answers, in the order /openapi.json lists them. */
import { ANALYSIS_ENDPOINTS } from './analyses.js';
import { CORE_ENDPOINTS } from './api.js';
import { CONTROL_ENDPOINTS } from './control.js';
import type { Endpoint } from './endpoint.js';
import { PLACE_ENDPOINTS } from './places.js';

export const API_ENDPOINTS: Endpoint[] = [...CORE_ENDPOINTS, ...CONTROL_ENDPOINTS, ...ANALYSIS_ENDPOINTS, ...PLACE_ENDPOINTS];
