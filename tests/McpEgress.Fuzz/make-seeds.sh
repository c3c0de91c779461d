#!/usr/bin/env bash
# Regenerates seeds/TARGET/ and tls-seeds.keys from the repository's captures (the library reads, decodes,
# reassembles and decrypts them itself). Run after captures/ change; the output is committed (~1 MB).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
dotnet build -c Release --nologo -v q . >/dev/null
rm -rf seeds
: > tls-seeds.keys
dotnet bin/Release/net10.0/McpEgress.Fuzz.dll --make-seeds ../../captures seeds
dotnet build -c Release --nologo -v q . >/dev/null   # embed the new tls-seeds.keys
