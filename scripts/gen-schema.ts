/**
 * Writes schema/cluster-document.schema.json, the JSON Schema of the AIOS cluster document
 * generated from the zod schema, so editors can validate cluster files. A unit test fails when
 * the committed file is stale: run `npm run schema` after changing components/config/cluster-document.ts.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { clusterDocumentJsonSchema } from "../components/config";

const file = path.join(__dirname, "..", "schema", "cluster-document.schema.json");
fs.writeFileSync(file, JSON.stringify(clusterDocumentJsonSchema(), null, 2) + "\n");
console.log(`wrote ${path.relative(process.cwd(), file)}`);
