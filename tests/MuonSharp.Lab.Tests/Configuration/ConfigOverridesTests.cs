using MuonSharp.Lab.Configuration;
using MuonSharp.Lab.Experiments;

namespace MuonSharp.Lab.Tests.Configuration;

public sealed class ConfigOverridesTests
{
    private static readonly ToyConfig Base = new ToyExperiment().Quick;

    [Fact]
    public void Known_keys_are_parsed_by_their_type_in_snake_case()
    {
        var config = (ToyConfig)ConfigOverrides.Apply(Base, new[] { "learning_rate=0.25", "steps=7", "shape=steep", "scales=1,2.5", "optimizers=gd-half" });

        Assert.Equal(0.25, config.LearningRate);
        Assert.Equal(7, config.Steps);
        Assert.Equal(ToyShape.Steep, config.Shape);
        Assert.Equal(new[] { 1.0, 2.5 }, config.Scales);
        Assert.Equal(new[] { "gd-half" }, config.Optimizers);
        Assert.Equal(10, Base.Steps); // the input is not modified
    }

    [Theory]
    [InlineData("learning_rat=1", "Unknown config key 'learning_rat'", "learning_rate")]
    [InlineData("steps=many", "'steps' expects an integer", "many")]
    [InlineData("learning_rate=NaN", "'learning_rate' expects a finite number", "NaN")]
    [InlineData("shape=round", "'shape' expects one of flat, steep", "round")]
    [InlineData("steps=0", "steps = 0: must be ≥ 1", "Invalid config")]
    [InlineData("learning_rate=-1", "learning_rate = -1: must be > 0", "Invalid config")]
    [InlineData("steps", "not of the form key=value", "steps")]
    public void Bad_overrides_are_errors_naming_the_key_and_what_is_accepted(string assignment, string expected, string alsoExpected)
    {
        var error = Assert.Throws<LabUserException>(() => ConfigOverrides.Apply(Base, new[] { assignment }));

        Assert.Contains(expected, error.Message);
        Assert.Contains(alsoExpected, error.Message);
    }

    [Fact]
    public void A_json_file_overrides_its_keys_and_refuses_unknown_ones()
    {
        using var temp = new TempDirectory();
        var good = temp.Sub("good.json");
        var bad = temp.Sub("bad.json");
        var broken = temp.Sub("broken.json");
        File.WriteAllText(good, """{ "steps": 3, "learning_rate": 0.5 }""");
        File.WriteAllText(bad, """{ "stepz": 3 }""");
        File.WriteAllText(broken, """{ "steps": """);

        var config = (ToyConfig)ConfigOverrides.ApplyFile(Base, good);

        Assert.Equal((3, 0.5), (config.Steps, config.LearningRate));
        Assert.Contains("Unknown config key 'stepz'", Assert.Throws<LabUserException>(() => ConfigOverrides.ApplyFile(Base, bad)).Message);
        Assert.Contains("Cannot read config file", Assert.Throws<LabUserException>(() => ConfigOverrides.ApplyFile(Base, broken)).Message);
        Assert.Contains("Cannot read config file", Assert.Throws<LabUserException>(() => ConfigOverrides.ApplyFile(Base, temp.Sub("missing.json"))).Message);
    }
}
