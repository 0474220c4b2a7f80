/**
 * Writes the binary files frontline reads at start-up from data/borders/ukraine-russia.geojson:
 *   data/borders/ukraine-russia.bin        the borders' rings (the very same doubles)
 *   data/borders/ukraine-russia.cells.bin  each country cut into the control engine's cells
 * scripts/build-borders.ts runs it after writing the GeoJSON; run it alone after changing the
 * engine's grid:  node --import tsx scripts/build-border-binaries.ts
 * A test checks that both files match what this would write.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BORDER_CELLS_BINARY, BORDERS_BINARY, BORDERS_GEOJSON, encodeBorders, encodeCountryCells, parseBordersGeoJSON } from '../src/control/borders.js';
import { cutBorders } from '../src/control/border-cells.js';

export async function writeBorderBinaries(): Promise<void> {
  const borders = parseBordersGeoJSON(readFileSync(BORDERS_GEOJSON, 'utf8'));
  writeFileSync(BORDERS_BINARY, encodeBorders(borders));
  const cells = await cutBorders(borders);
  writeFileSync(BORDER_CELLS_BINARY, encodeCountryCells(cells));
  console.log(`${fileURLToPath(BORDERS_BINARY)}; ${fileURLToPath(BORDER_CELLS_BINARY)}: ${cells.UKR.size} cells of Ukraine, ${cells.RUS.size} of Russia`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await writeBorderBinaries();
