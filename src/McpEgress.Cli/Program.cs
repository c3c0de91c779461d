using System.CommandLine;
using McpEgress.Cli;

var root = new RootCommand("mcp-egress: finds hidden and foreign recipients in the mail that leaves a host (SMTP and mail-API traffic).");
root.Subcommands.Add(ReplayCommand.Create());
root.Subcommands.Add(WatchCommand.Create());
root.Subcommands.Add(ConfigCommand.Create());
root.Subcommands.Add(InventoryCommand.Create());
root.Subcommands.Add(CompletionCommand.Create(root));
return root.Parse(args).Invoke();
