using System.Runtime.CompilerServices;

namespace MuonSharp.Testing;

/// <summary>
/// Compiled into every test assembly (tests/Directory.Build.props). Before any test code runs, the
/// process is made offline (no test can download a dataset, whichever runner starts it and with
/// whatever run settings), given an empty cache of its own, and cut off from the user's data
/// directory, so a test never reads or writes the developer's real cache. Child processes inherit it.
/// </summary>
internal static class SealedDataEnvironment
{
#pragma warning disable CA2255 // A module initializer is the one hook that runs before every test in every runner.
    [ModuleInitializer]
    internal static void Seal()
#pragma warning restore CA2255
    {
        Environment.SetEnvironmentVariable("MUONSHARP_OFFLINE", "1");
        Environment.SetEnvironmentVariable("MUONSHARP_DATA", Path.Combine(Path.GetTempPath(), $"muonsharp-tests-cache-{Environment.ProcessId}"));
        Environment.SetEnvironmentVariable("MUONSHARP_DATA_DIR", null);
    }
}
