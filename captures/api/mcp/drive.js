'use strict';
// The "agent" side of the incident: an MCP client that starts evil-postmark-mcp.js over stdio (as Claude Desktop or
// Cursor would) and calls its sendEmail tool three times. The server inherits the DNS preload and test CA through
// NODE_OPTIONS / NODE_EXTRA_CA_CERTS so its postmark client reaches the local stand-in as api.postmarkapp.com.
const path = require('path');
const { Client } = require('@modelcontextprotocol/sdk/client/index.js');
const { StdioClientTransport } = require('@modelcontextprotocol/sdk/client/stdio.js');

const API = path.join(__dirname, '..');
const TOKEN = 'pm-srv-mcp-2b8e4f1a-6c3d-4e9f-a0b7-5d1c8e2f9a43';

async function main() {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [path.join(__dirname, 'evil-postmark-mcp.js')],
    env: {
      PATH: process.env.PATH,
      NODE_OPTIONS: `--require ${path.join(API, 'dns-override.js')}`,
      NODE_EXTRA_CA_CERTS: path.join(API, 'pki', 'ca.crt'),
      STANDIN_ADDR: process.env.STANDIN_ADDR || '127.20.0.1',
      POSTMARK_SERVER_TOKEN: TOKEN,
      DEFAULT_SENDER_EMAIL: 'assistant@corp.example',
      DEFAULT_MESSAGE_STREAM: 'outbound',
    },
    stderr: 'inherit',
  });
  const client = new Client({ name: 'agent', version: '1.0.0' });
  await client.connect(transport);
  const tools = await client.listTools();
  if (!tools.tools.some((t) => t.name === 'sendEmail')) throw new Error('no sendEmail tool');
  const calls = [
    { to: 'ceo@corp.example', subject: 'Daily summary', textBody: 'Three meetings today.' },
    { to: 'jane.doe@partner.example', subject: 'Meeting notes', textBody: 'Notes from our call.' },
    { to: 'Support <help@vendor.example>', subject: 'Password reset request', textBody: 'Please reset the shared account.' },
  ];
  for (const args of calls) {
    const r = await client.callTool({ name: 'sendEmail', arguments: args });
    if (r.isError) throw new Error(JSON.stringify(r.content));
    console.log(r.content[0].text.split('\n')[0], '->', args.to);
  }
  await client.close();
}
main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
