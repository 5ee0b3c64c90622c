using MuonSharp.Lab.Experiments.SpuriousMnist;

namespace MuonSharp.Lab.Tests.Experiments.SpuriousMnist;

public sealed class SpuriousMnistConfigTests
{
    [Fact]
    public void The_paper_and_quick_sizes_are_valid()
    {
        var experiment = new SpuriousMnistExperiment();
        Assert.Empty(experiment.Paper.Validate());
        Assert.Empty(experiment.Quick.Validate());
    }

    [Theory]
    [InlineData("figure_intensity = 3: must be one of intensities")]
    [InlineData("sgd_lr_grid = []: give at least one learning rate")]
    [InlineData("intensities = [1, 1]: intensities must be distinct")]
    [InlineData("tuning_fraction = 1: must be in (0, 1)")]
    [InlineData("optimizers contains 'lion': accepted are sgd, adam, muon")]
    public void A_bad_value_is_named_with_what_is_accepted(string expected)
    {
        var good = new SpuriousMnistConfig();
        var bad = expected.Split(' ')[0] switch
        {
            "figure_intensity" => good with { FigureIntensity = 3 },
            "sgd_lr_grid" => good with { SgdLrGrid = Array.Empty<double>() },
            "intensities" => good with { Intensities = new[] { 1.0, 1.0 } },
            "tuning_fraction" => good with { TuningFraction = 1 },
            _ => good with { Optimizers = new[] { "sgd", "lion" } },
        };

        Assert.Contains(bad.Validate(), problem => problem.StartsWith(expected, StringComparison.Ordinal));
    }
}
