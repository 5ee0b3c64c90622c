using System.Text.Json;
using MuonSharp.Lab.Configuration;
using MuonSharp.Lab.Runs;
using MuonSharp.Lab.Sweeps;

namespace MuonSharp.Lab.Tests;

/// <summary>A sweep of <see cref="ToyExperiment"/> written and run in-process, every point to completion.</summary>
internal static class ToySweep
{
    /// <summary>Writes the manifest of <paramref name="grid"/> × <paramref name="seeds"/> in <paramref name="root"/> and runs every point.</summary>
    public static string Run(string root, int seeds, params string[] grid)
    {
        var toy = new ToyExperiment();
        var points = SweepGrid.Expand(toy, toy.Quick, SweepGrid.Parse(grid, typeof(ToyConfig)), seeds);
        SweepManifest.WriteOrMatch(root, points);
        foreach (var p in points)
            LabRunner.Run(toy, p.Config.Deserialize<ToyConfig>(ConfigOverrides.Json)!, SweepManifest.RunDirectoryOf(root, p));
        return root;
    }
}
