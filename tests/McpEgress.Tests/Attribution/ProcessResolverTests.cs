using System.Net;
using System.Net.Sockets;
using McpEgress.Attribution;
using McpEgress.Decode;
using McpEgress.Native;
using McpEgress.Tests.Fixtures;

namespace McpEgress.Tests.Attribution;

public class ProcessResolverTests
{
    private static Endpoint Ep(EndPoint? e)
    {
        var ip = (IPEndPoint)e!;
        return new Endpoint(IpAddress16.FromIPAddress(ip.Address), (ushort)ip.Port);
    }

    private static (TcpListener Listener, TcpClient Client, TcpClient Accepted) Connect(IPAddress address)
    {
        var listener = new TcpListener(address, 0);
        listener.Start();
        var client = new TcpClient(address.AddressFamily);
        client.Connect((IPEndPoint)listener.LocalEndpoint);
        var accepted = listener.AcceptTcpClient();
        return (listener, client, accepted);
    }

    [Fact]
    public void Ipv4Connection_ResolvesToThisProcess()
    {
        var (listener, client, accepted) = Connect(IPAddress.Loopback);
        using var _c = client; using var _a = accepted;
        try
        {
            var resolver = new ProcessResolver();
            var info = resolver.Resolve(Ep(client.Client.LocalEndPoint), Ep(client.Client.RemoteEndPoint));
            Assert.NotNull(info);
            Assert.Equal(Environment.ProcessId, info!.Pid);
            Assert.Contains("dotnet", info.Executable ?? info.CommandLine ?? "");
            Assert.Equal(Environment.UserName, info.UserName);
            Assert.Equal(LibC.EffectiveUid, info.Uid);
            Assert.NotEqual(0UL, info.SocketInode);
            Assert.Null(info.PackageName);
            Assert.False(string.IsNullOrEmpty(info.CommandLine));
            Assert.DoesNotContain('\0', info.CommandLine!);
            Assert.Equal(1, resolver.Resolved);
        }
        finally { listener.Stop(); }
    }

    [SkippableFact]
    public void Ipv6LoopbackConnection_ResolvesAndServerSideToo()
    {
        Skip.IfNot(Socket.OSSupportsIPv6, "no IPv6 in this kernel");
        TcpListener listener; TcpClient client, accepted;
        try { (listener, client, accepted) = Connect(IPAddress.IPv6Loopback); }
        catch (SocketException e) { throw new SkipException("::1 is not configured here: " + e.Message); }
        using var _c = client; using var _a = accepted;
        try
        {
            var resolver = new ProcessResolver();
            var local = Ep(client.Client.LocalEndPoint);
            Assert.False(local.Address.IsV4);
            var info = resolver.Resolve(local, Ep(client.Client.RemoteEndPoint));
            Assert.Equal(Environment.ProcessId, info?.Pid);
            // The accepted (server) side is another socket of this process, found in the other orientation too.
            var server = resolver.Resolve(Ep(accepted.Client.LocalEndPoint), Ep(accepted.Client.RemoteEndPoint));
            Assert.Equal(Environment.ProcessId, server?.Pid);
            Assert.NotEqual(info!.SocketInode, server!.SocketInode);
        }
        finally { listener.Stop(); }
    }

    [Fact]
    public void DualStackSocketCarryingIpv4_IsFoundInTcp6()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            using var socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = true };
            socket.Connect((IPEndPoint)listener.LocalEndpoint);
            using var accepted = listener.AcceptSocket();
            // The capture decodes plain IPv4 endpoints; the kernel lists the socket in tcp6 as ::ffff:127.0.0.1.
            var local = new Endpoint(IpAddress16.FromIPAddress(IPAddress.Loopback), (ushort)((IPEndPoint)socket.LocalEndPoint!).Port);
            var remote = Ep(listener.LocalEndpoint);
            Assert.Equal(Environment.ProcessId, new ProcessResolver().Resolve(local, remote)?.Pid);
        }
        finally { listener.Stop(); }
    }

    [Fact]
    public void UnknownFlow_ReturnsNull_VanishedProcess_DescribesNull()
    {
        var resolver = new ProcessResolver();
        var a = new Endpoint(IpAddress16.FromIPAddress(IPAddress.Parse("192.0.2.1")), 1);
        var b = new Endpoint(IpAddress16.FromIPAddress(IPAddress.Parse("192.0.2.2")), 2);
        Assert.Null(resolver.Resolve(a, b));
        Assert.Equal(1, resolver.SocketNotFound);

        using var p = System.Diagnostics.Process.Start("true")!;
        p.WaitForExit();
        int pid = p.Id;
        Assert.Null(resolver.Describe(pid));
    }

    [Fact]
    public void NodeMcpServer_ReportsPackageAndPid_FoundWithoutFullRescan()
    {
        var root = Directory.CreateTempSubdirectory("mcp-egress-node-");
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            // An npm package the way npx installs it: the server runs as node_modules/.bin/<bin> (a symlink).
            var pkg = Path.Combine(root.FullName, "node_modules", "evil-postmark-mcp");
            Directory.CreateDirectory(Path.Combine(pkg, "dist"));
            File.WriteAllText(Path.Combine(pkg, "package.json"), """{"name":"evil-postmark-mcp","version":"1.0.16","bin":{"postmark-mcp":"dist/index.js"}}""");
            File.WriteAllText(Path.Combine(pkg, "dist", "package.json"), """{"type":"commonjs"}""");
            File.WriteAllText(Path.Combine(pkg, "dist", "index.js"), """
                const net = require('net');
                const s = net.connect(+process.argv[2], '127.0.0.1', () => console.log('connected ' + s.localPort));
                process.stdin.on('data', () => {}); process.stdin.on('end', () => process.exit(0));
                """);
            Directory.CreateDirectory(Path.Combine(root.FullName, "node_modules", ".bin"));
            File.CreateSymbolicLink(Path.Combine(root.FullName, "node_modules", ".bin", "postmark-mcp"), "../evil-postmark-mcp/dist/index.js");
            File.WriteAllText(Path.Combine(root.FullName, "preload.js"), "");

            // A full scan happens now; afterwards none is allowed for an hour, so the node process (new since the
            // scan) must be found by the cheap pass over unseen PIDs, as a freshly started MCP server would be.
            var resolver = new ProcessResolver(new ProcessResolverOptions { RefreshInterval = TimeSpan.FromHours(1) });
            var (l0, c0, a0) = Connect(IPAddress.Loopback);
            using (c0) using (a0) { resolver.Resolve(Ep(c0.Client.LocalEndPoint), Ep(c0.Client.RemoteEndPoint)); l0.Stop(); }
            long fullScans = resolver.FullScans;

            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            using var node = NodeProcess.Start(root.FullName,
                ["--require", "./preload.js", "node_modules/.bin/postmark-mcp", port.ToString()]);
            var line = node.ReadLine();
            Assert.StartsWith("connected ", line);
            int nodePort = int.Parse(line["connected ".Length..]);
            using var accepted = listener.AcceptTcpClient();

            var local = new Endpoint(IpAddress16.FromIPAddress(IPAddress.Loopback), (ushort)nodePort);
            var info = resolver.Resolve(local, Ep(listener.LocalEndpoint));
            Assert.NotNull(info);
            Assert.Equal(node.Process.Id, info!.Pid);
            Assert.Equal("evil-postmark-mcp", info.PackageName);
            Assert.Equal("1.0.16", info.PackageVersion);
            Assert.Equal("evil-postmark-mcp@1.0.16", info.Package);
            Assert.Equal(Path.Combine(pkg, "dist", "index.js"), info.ScriptPath);
            Assert.Contains("node_modules/.bin/postmark-mcp " + port, info.CommandLine);
            Assert.EndsWith("node", Path.GetFileName(info.Executable));
            Assert.Equal(Environment.UserName, info.UserName);
            Assert.Equal(fullScans, resolver.FullScans);
        }
        finally
        {
            listener.Stop();
            root.Delete(recursive: true);
        }
    }

    [Fact]
    public void CommandLine_IsTruncatedAtTheLimit()
    {
        var (listener, client, accepted) = Connect(IPAddress.Loopback);
        using var _c = client; using var _a = accepted;
        try
        {
            var info = new ProcessResolver(new ProcessResolverOptions { MaxCommandLineBytes = 10 })
                .Resolve(Ep(client.Client.LocalEndPoint), Ep(client.Client.RemoteEndPoint));
            Assert.NotNull(info?.CommandLine);
            Assert.True(info!.CommandLine!.Length <= 10);
            Assert.True(info.CommandLineTruncated);
        }
        finally { listener.Stop(); }
    }
}
