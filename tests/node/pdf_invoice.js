// Prints invoices with @h1dd3nsn1p3r/pdf-invoice (pdfmake): reads a JSON list of
// {payload, config} from stdin, each payload.invoice.path where its PDF goes (tests/nodegen.py).
"use strict";
const { PDFInvoice } = require("@h1dd3nsn1p3r/pdf-invoice");

async function main() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const jobs = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  for (const { payload, config } of jobs) {
    await new PDFInvoice(payload, config).create();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
