using System.Diagnostics;

namespace MuonSharp.Cli;

/// <summary>How this muonsharp starts itself as a child process (the local sweep executor's points).</summary>
internal static class SelfCommand
{
    private static readonly string CliDll = typeof(LabCommands).Assembly.Location;

    /// <summary>
    /// A start info for <c>muonsharp <paramref name="args"/></c>: the installed tool's own executable when
    /// that is what runs, else <c>dotnet MuonSharp.Cli.dll</c> (under <c>dotnet run</c>, or a test host).
    /// </summary>
    public static ProcessStartInfo Start(IEnumerable<string> args)
    {
        var process = Environment.ProcessPath;
        var name = Path.GetFileNameWithoutExtension(process ?? "");
        bool isApphost = process is not null && (name.Equals("muonsharp", StringComparison.OrdinalIgnoreCase) || name.Equals("MuonSharp.Cli", StringComparison.Ordinal));
        var info = new ProcessStartInfo(isApphost ? process! : name.Equals("dotnet", StringComparison.OrdinalIgnoreCase) ? process! : "dotnet") { UseShellExecute = false };
        if (!isApphost) info.ArgumentList.Add(CliDll);
        foreach (var a in args) info.ArgumentList.Add(a);
        return info;
    }

    /// <summary>The same command as one line of shell words (for a Slurm script run on this machine's file system).</summary>
    public static string ShellLine()
    {
        var info = Start(Array.Empty<string>());
        return string.Join(" ", new[] { info.FileName }.Concat(info.ArgumentList).Select(Lab.Sweeps.SlurmScript.ShellQuote));
    }
}
