// Stems words with the browser client's Porter2 stemmer. Usage: node stem-words.mjs PMSEARCH_JS
// < words.json > stems.json
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const { stem } = await import(pathToFileURL(process.argv[2]).href);
const words = JSON.parse(readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(words.map((w) => stem(w))));
