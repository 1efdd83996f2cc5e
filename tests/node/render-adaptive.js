#!/usr/bin/env node
// Parse, validate and render Adaptive Cards with Microsoft's own renderer (npm adaptivecards
// 3.x, UMD bundle under jsdom) using the Microsoft Teams host config from adaptivecards-designer.
//
// Input (stdin): JSON object {name: card}. Output (stdout): JSON object
// {name: {events: [...], html: <rendered HTML>, inputs: [...ids], text: <visible text>}}.
// Any parse event, validation event, render warning or missing render output is listed in
// `events`; a good card has none.
"use strict";
const fs = require("fs");
const path = require("path");
const { JSDOM } = require("jsdom");

const dom = new JSDOM("<!DOCTYPE html><html><body></body></html>", { pretendToBeVisual: true });
for (const key of Object.getOwnPropertyNames(dom.window)) {
  if (!(key in globalThis)) {
    try { globalThis[key] = dom.window[key]; } catch (_) { /* read-only global */ }
  }
}
globalThis.window = dom.window;
globalThis.document = dom.window.document;

const captured = [];
for (const level of ["warn", "error"]) {
  const original = console[level];
  console[level] = (...args) => { captured.push(`console.${level}: ${args.join(" ")}`); void original; };
}

const AC = require("adaptivecards/dist/adaptivecards.js");
// Teams renders TextBlock Markdown (never HTML); markdown-it with HTML off stands in for it so
// the rendered text shows whether user text was escaped.
const markdown = require("markdown-it")({ html: false, linkify: false });
AC.AdaptiveCard.onProcessMarkdown = (text, result) => {
  result.outputHtml = markdown.render(text);
  result.didProcess = true;
};
const hostConfigPath = path.join(path.dirname(require.resolve("adaptivecards-designer/package.json")),
  "lib", "hostConfigs", "microsoft-teams-light.json");
const hostConfig = new AC.HostConfig(JSON.parse(fs.readFileSync(hostConfigPath, "utf8")));

function describe(event) {
  const phase = AC.ValidationPhase ? AC.ValidationPhase[event.phase] : event.phase;
  const kind = AC.ValidationEvent ? AC.ValidationEvent[event.event] : event.event;
  return `${phase}/${kind}: ${event.message}`;
}

const cards = JSON.parse(fs.readFileSync(0, "utf8"));
const result = {};
for (const [name, json] of Object.entries(cards)) {
  captured.length = 0;
  const events = [];
  const card = new AC.AdaptiveCard();
  card.hostConfig = hostConfig;
  const context = new AC.SerializationContext();
  card.parse(json, context);
  for (let i = 0; i < context.eventCount; i++) events.push(describe(context.getEventAt(i)));
  const validation = card.validateProperties();
  for (const event of validation.validationEvents) events.push(describe(event));
  let html = "";
  let text = "";
  try {
    const element = card.render();
    if (!element) events.push("render: no element");
    else {
      document.body.appendChild(element);
      html = element.outerHTML;
      text = element.textContent || "";
      document.body.removeChild(element);
    }
  } catch (err) {
    events.push(`render threw: ${err && err.message}`);
  }
  events.push(...captured);
  result[name] = { events, html, inputs: card.getAllInputs().map((input) => input.id), text };
}
process.stdout.write(JSON.stringify(result));
