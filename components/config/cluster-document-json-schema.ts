/** The JSON Schema of the AIOS cluster document, generated from its zod schema. */
import { z } from "zod";
import { clusterDocumentSchema } from "./cluster-document";

/** JSON Schema (draft 2020-12) of the document as a user writes it (defaults optional). */
export function clusterDocumentJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(clusterDocumentSchema, { io: "input", unrepresentable: "any" }),
    $id: "https://aios-infra.invalid/schema/cluster-document.schema.json",
    title: "AIOS cluster document",
    description:
      "The cluster document of aios-infra's `aios-infra:cluster` config key. Sizes are in MB; aggregates are computed from the nodes when omitted.",
  };
}
