// Starts a local AT Protocol network for atfn's end-to-end tests: an in-memory
// PLC directory (@did-plc/server) and the official PDS (@atproto/pds, SQLite in
// a fresh temporary directory), both bound to 127.0.0.1 only.
//
// Run with Node >= 22.15 (installed by ./install.sh as node_modules/.bin/node):
//
//   node_modules/.bin/node start.mjs [--plc-port N] [--pds-port N]
//
// Ports default to $ATFN_PLC_PORT / $ATFN_PDS_PORT, else 0 (a free random port).
// When both servers accept requests it prints exactly one JSON line on stdout:
//
//   {"plcUrl":"http://127.0.0.1:PORT","pdsUrl":"http://localhost:PORT","adminPassword":"…"}
//
// The PDS hostname is 'localhost', so its public URL (and the #atproto_pds
// endpoint of every DID document it creates) is http://localhost:PORT.
// It stops both servers and removes its data directory on SIGTERM, SIGINT, or
// when stdin closes (the parent test process died), then exits.

import { mkdtemp, rm } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'

import { PDS, envToCfg, envToSecrets } from '@atproto/pds'
import plcServer from '@did-plc/server'

const LOOPBACK = '127.0.0.1'

// Both servers call `listen(port)` without a host, which binds every
// interface. Give any such call the loopback host instead.
const originalListen = net.Server.prototype.listen
net.Server.prototype.listen = function (...args) {
  if (args.length === 0 || typeof args[0] === 'number' || args[0] === undefined) {
    const port = args[0] ?? 0
    const rest = args.slice(1)
    if (typeof rest[0] !== 'string') return originalListen.call(this, port, LOOPBACK, ...rest)
  }
  return originalListen.apply(this, args)
}

function portArg(value, name) {
  const port = Number(value ?? 0)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`${name}: not a TCP port: ${value}`)
  }
  return port
}

// The PDS derives its public URL from its port before it listens, so a random
// port must be chosen up front.
async function freePort() {
  const server = net.createServer()
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, LOOPBACK, resolve)
  })
  const { port } = server.address()
  await new Promise((resolve) => server.close(resolve))
  return port
}

async function main() {
  const { values } = parseArgs({
    options: { 'plc-port': { type: 'string' }, 'pds-port': { type: 'string' } },
  })
  const plcPort = portArg(values['plc-port'] ?? process.env.ATFN_PLC_PORT, 'plc port')
  let pdsPort = portArg(values['pds-port'] ?? process.env.ATFN_PDS_PORT, 'pds port')
  if (pdsPort === 0) pdsPort = await freePort()

  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'atfn-pds-'))
  let plc
  let pds
  let stopping = false
  const stop = async (code) => {
    if (stopping) return
    stopping = true
    await pds?.destroy().catch((err) => console.error('pds.destroy:', err))
    await plc?.destroy().catch((err) => console.error('plc.destroy:', err))
    await rm(dataDir, { recursive: true, force: true })
    process.exit(code)
  }
  process.on('SIGTERM', () => stop(0))
  process.on('SIGINT', () => stop(0))
  process.stdin.on('end', () => stop(0))
  process.stdin.on('error', () => stop(0))
  process.stdin.resume()

  try {
    plc = plcServer.PlcServer.create({ db: plcServer.Database.mock(), port: plcPort })
    const plcHttp = await plc.start()
    const plcUrl = `http://${LOOPBACK}:${plcHttp.address().port}`

    const adminPassword = 'admin-pass'
    const env = {
      port: pdsPort,
      hostname: 'localhost',
      devMode: true,
      dataDirectory: dataDir,
      blobstoreDiskLocation: path.join(dataDir, 'blobs'),
      didPlcUrl: plcUrl,
      serviceHandleDomains: ['.test'],
      inviteRequired: false,
      jwtSecret: randomBytes(16).toString('hex'),
      adminPassword,
      plcRotationKeyK256PrivateKeyHex: randomBytes(32).toString('hex'),
    }
    pds = await PDS.create(envToCfg(env), envToSecrets(env))
    await pds.start()
    const pdsUrl = `http://localhost:${pdsPort}`
    process.stdout.write(JSON.stringify({ plcUrl, pdsUrl, adminPassword }) + '\n')
  } catch (err) {
    console.error('start.mjs: failed to start the network:', err)
    await stop(1)
  }
}

main()
