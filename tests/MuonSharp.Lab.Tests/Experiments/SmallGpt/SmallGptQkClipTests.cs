using MuonSharp.Lab.Experiments;
using MuonSharp.Lab.Experiments.SmallGpt;
using MuonSharp.Lab.Runs;

namespace MuonSharp.Lab.Tests.Experiments.SmallGpt;

/// <summary><c>qk_clip_tau</c>: QK-clip after every update of the small GPT's runs.</summary>
public sealed class SmallGptQkClipTests
{
    private static readonly SmallGptConfig Small = new SmallGptExperiment().Quick with
    {
        Optimizers = new[] { "muon" }, Seeds = 1, SweepFactors = Array.Empty<double>(), SampleLength = 0,
    };

    private static (byte[] Metrics, string Log) Run(TempDirectory temp, string name, double tau)
    {
        var directory = temp.Sub(name);
        LabRunner.Run(new SmallGptExperiment(), Small with { QkClipTau = tau }, directory, new RunOptions { DataDirectory = Data.TinyDatasets.QuickRunDirectory });
        return (File.ReadAllBytes(Path.Combine(directory, "metrics.csv")), File.ReadAllText(Path.Combine(directory, "log.txt")));
    }

    [Fact]
    public void A_threshold_below_the_logits_clips_heads_and_changes_the_run_one_above_them_changes_nothing()
    {
        using var temp = new TempDirectory();

        var off = Run(temp, "off", 0);
        var never = Run(temp, "never", 1e9);
        var always = Run(temp, "always", 1e-3);

        Assert.DoesNotContain("QK-clip", off.Log);
        Assert.Matches(@"rescaled 0 heads; largest pre-softmax logit \d", never.Log);
        Assert.Equal(off.Metrics, never.Metrics);
        Assert.Matches(@"QK-clip \(τ = 0\.001\) rescaled [1-9]\d* heads; largest pre-softmax logit \d", always.Log);
        Assert.NotEqual(off.Metrics, always.Metrics);
    }

    [Fact]
    public void A_negative_threshold_is_refused_naming_the_key()
    {
        var problems = (Small with { QkClipTau = -1 }).Validate();

        Assert.Contains("qk_clip_tau = -1: must be ≥ 0 (0: no QK-clip)", problems);
    }
}
