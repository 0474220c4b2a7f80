/**
 * Both countries cut into the control engine's cells, by an engine that has no cells to start
 * from: what data/borders/ukraine-russia.cells.bin holds (scripts/build-border-binaries.ts).
 */
import type { Borders, CountryCells } from './borders.js';
import { ControlEngine, GRID } from './engine.js';
import { getGeos } from '../geometry/geos.js';

export async function cutBorders(borders: Borders): Promise<CountryCells> {
  const engine = new ControlEngine(await getGeos(), borders);
  return { grid: GRID, borders: borders.id, UKR: engine.cutCountry('UKR'), RUS: engine.cutCountry('RUS') };
}
