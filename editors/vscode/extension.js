// A minimal VS Code client for `uwsgi-lint server`: it starts the server over stdio for
// INI, YAML, JSON, XML and Python files on disk; the server decides which of them are
// uWSGI configs (the others get no findings).
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

const LANGUAGES = ["ini", "yaml", "json", "xml", "python"];
let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("uwsgiLint").get("path") || "uwsgi-lint";
  client = new LanguageClient(
    "uwsgiLint",
    "uwsgi-lint",
    { command, args: ["server"] },
    { documentSelector: LANGUAGES.map((language) => ({ scheme: "file", language })) },
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
