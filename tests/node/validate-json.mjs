// Validates JSON documents against a JSON schema with ajv (and ajv-formats), the dialect taken
// from the schema's `$schema`: draft-04 (the SARIF 2.1.0 schema) or 2020-12 (`pmarchive schema`).
//
//   node tests/node/validate-json.mjs SCHEMA.json DOC.json...
//
// Prints `{"DOC.json": null | [errors]}` and exits 0 when every document is valid, 1 when one
// is not, 2 when the schema itself does not compile.
import { readFileSync } from "node:fs";
import Ajv2020 from "ajv/dist/2020.js";
import AjvDraft04 from "ajv-draft-04";
import addFormats from "ajv-formats";

const [schemaPath, ...docs] = process.argv.slice(2);
const schema = JSON.parse(readFileSync(schemaPath, "utf8"));
const dialect = String(schema.$schema || "");
const Ajv = dialect.includes("draft-04") ? AjvDraft04 : Ajv2020;
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
let validate;
try {
  validate = ajv.compile(schema);
} catch (e) {
  console.error(`schema ${schemaPath} does not compile: ${e.message}`);
  process.exit(2);
}
const out = {};
let ok = true;
for (const doc of docs) {
  const valid = validate(JSON.parse(readFileSync(doc, "utf8")));
  out[doc] = valid ? null : validate.errors;
  ok &&= valid;
}
console.log(JSON.stringify(out, null, 1));
process.exit(ok ? 0 : 1);
