using System.Text;

namespace McpEgress.Inventory.Running;

/// <summary>
/// A snapshot of the processes in procfs: for each /proc/PID, the parent and start time (/proc/PID/stat fields 4 and
/// 22), the effective uid (status "Uid:"), argv (cmdline) and the executable (exe, readable for one's own processes or
/// with CAP_SYS_PTRACE). Processes that exit while being read are skipped. Never throws.
/// </summary>
public sealed class ProcessTable
{
    private const int MaxCommandLineBytes = 64 * 1024;
    /// <summary>USER_HZ: the unit of /proc/PID/stat times, 100 on every Linux architecture's user ABI.</summary>
    private const int TicksPerSecond = 100;

    private readonly Dictionary<int, ProcEntry> _byPid = new();
    private readonly DateTimeOffset? _bootTime;

    public IReadOnlyCollection<ProcEntry> Entries => _byPid.Values;

    private ProcessTable(DateTimeOffset? bootTime) => _bootTime = bootTime;

    public ProcEntry? Get(int pid) => _byPid.GetValueOrDefault(pid);

    /// <summary>When the process started (boot time from /proc/stat btime + start ticks), or null.</summary>
    public DateTimeOffset? StartedAt(ProcEntry e) => _bootTime?.AddSeconds((double)e.StartTicks / TicksPerSecond);

    public static ProcessTable Snapshot(string procRoot = "/proc", int maxProcesses = 65_536)
    {
        var table = new ProcessTable(ReadBootTime(procRoot));
        IEnumerable<string> dirs;
        try { dirs = Directory.EnumerateDirectories(procRoot).ToList(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return table; }
        foreach (var dir in dirs)
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
            if (table._byPid.Count >= maxProcesses) break;
            if (Read(dir, pid) is { } e) table._byPid[pid] = e;
        }
        return table;
    }

    private static ProcEntry? Read(string dir, int pid)
    {
        try
        {
            var stat = File.ReadAllText(Path.Combine(dir, "stat"));
            int close = stat.LastIndexOf(')'); // comm may hold spaces and parentheses
            if (close < 0) return null;
            var fields = stat[(close + 2)..].Split(' ');
            // After "pid (comm) ": [0] state, [1] ppid, ... [19] starttime.
            if (fields.Length < 20 || !int.TryParse(fields[1], out int ppid) || !ulong.TryParse(fields[19], out ulong start)) return null;
            var argv = new List<string>();
            using (var fs = new FileStream(Path.Combine(dir, "cmdline"), FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 0))
            {
                var buf = new byte[MaxCommandLineBytes];
                int filled = 0, n;
                while (filled < buf.Length && (n = fs.Read(buf, filled, buf.Length - filled)) > 0) filled += n;
                var data = buf.AsSpan(0, filled);
                if (data.Length > 0 && data[^1] == 0) data = data[..^1];
                if (data.Length > 0) foreach (var r in data.Split((byte)0)) argv.Add(Encoding.UTF8.GetString(data[r]));
            }
            if (argv.Count == 0) return null; // kernel threads and zombies
            string? exe = null;
            try { exe = new FileInfo(Path.Combine(dir, "exe")).LinkTarget; }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            uint? uid = null;
            foreach (var line in File.ReadLines(Path.Combine(dir, "status")))
            {
                if (!line.StartsWith("Uid:", StringComparison.Ordinal)) continue;
                var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length >= 3 && uint.TryParse(parts[2], out uint u)) uid = u;
                break;
            }
            return new ProcEntry(pid, ppid, uid, start, argv, exe, dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    private static DateTimeOffset? ReadBootTime(string procRoot)
    {
        try
        {
            foreach (var line in File.ReadLines(Path.Combine(procRoot, "stat")))
                if (line.StartsWith("btime ", StringComparison.Ordinal) && long.TryParse(line.AsSpan(6).Trim(), out long s))
                    return DateTimeOffset.FromUnixTimeSeconds(s);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return null;
    }
}
