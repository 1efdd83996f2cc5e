#!/usr/bin/env node
// Type-check Block Kit payloads against Slack's own TypeScript types (@slack/types) with
// TypeScript 5, all in one compiler run.
//
// Input (stdin): JSON object {name: payload}; a payload with "type": "home" is checked as a
// HomeView, "type": "modal" as a ModalView, anything else as a message {text, blocks}. All
// require blocks to be KnownBlock[] (a known block type, no unknown keys, header text
// plain_text, button style primary|danger).
// Output (stdout): JSON object {name: [diagnostic, ...]}; empty lists mean well-typed.
"use strict";
const fs = require("fs");
const path = require("path");
const ts = require("typescript");

const payloads = JSON.parse(fs.readFileSync(0, "utf8"));
const dir = __dirname;
const files = new Map();
const nameOf = new Map();
let i = 0;
for (const [name, payload] of Object.entries(payloads)) {
  const file = path.join(dir, `__blockkit_${i++}.ts`);
  const type = payload.type === "home"
    ? "HomeView & { blocks: KnownBlock[] }"
    : payload.type === "modal"
      ? "ModalView & { blocks: KnownBlock[] }"
      : "{ text: string; blocks: KnownBlock[] }";
  files.set(file, `import type { HomeView, KnownBlock, ModalView } from "@slack/types";\n` +
    `export const payload: ${type} = ${JSON.stringify(payload, null, 1)};\n`);
  nameOf.set(file, name);
}

const options = {
  strict: true, noEmit: true, skipLibCheck: true, target: ts.ScriptTarget.ES2020,
  module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10,
  types: [],
};
const host = ts.createCompilerHost(options);
const { getSourceFile, fileExists, readFile } = host;
host.getSourceFile = (f, lang, ...rest) =>
  files.has(f) ? ts.createSourceFile(f, files.get(f), lang) : getSourceFile.call(host, f, lang, ...rest);
host.fileExists = (f) => files.has(f) || fileExists.call(host, f);
host.readFile = (f) => (files.has(f) ? files.get(f) : readFile.call(host, f));

const program = ts.createProgram([...files.keys()], options, host);
const result = {};
for (const name of nameOf.values()) result[name] = [];
for (const d of ts.getPreEmitDiagnostics(program)) {
  const message = ts.flattenDiagnosticMessageText(d.messageText, "\n");
  const file = d.file ? d.file.fileName : null;
  if (file && nameOf.has(file)) {
    const { line } = d.file.getLineAndCharacterOfPosition(d.start || 0);
    result[nameOf.get(file)].push(`line ${line + 1}: ${message}`);
  } else {
    result["<setup>"] = [...(result["<setup>"] || []), message];
  }
}
process.stdout.write(JSON.stringify(result));
