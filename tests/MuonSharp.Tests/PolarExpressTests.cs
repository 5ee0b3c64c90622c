using TorchSharp;
using static TorchSharp.torch;

namespace MuonSharp.Tests;

public sealed class PolarExpressTests
{
    private static double WorstDistanceFromOne(Tensor orthogonalized) =>
        MuonSharp.Spectral.SingularValues(orthogonalized).Max(s => Math.Abs(s - 1));

    [Theory]
    [InlineData(64, 256, ScalarType.Float32)]
    [InlineData(200, 100, ScalarType.Float32)]
    [InlineData(128, 512, ScalarType.BFloat16)]
    public void In_five_steps_Polar_Express_reaches_a_tighter_band_than_the_fixed_quintic(int rows, int cols, ScalarType computeType)
    {
        using var g = randn(new long[] { rows, cols }, generator: new Generator((ulong)(rows * cols)));

        double jordan = WorstDistanceFromOne(Orthogonalize.NewtonSchulz(g, steps: 5, computeType: computeType));
        double polarExpress = WorstDistanceFromOne(Orthogonalize.PolarExpress(g, steps: 5, computeType: computeType));

        Assert.True(polarExpress < jordan, $"max |σ − 1|: Polar Express {polarExpress}, Jordan {jordan}");
    }

    [Fact]
    public void The_schedule_applies_the_safety_factor_to_every_polynomial_but_the_last_and_then_repeats_it()
    {
        var schedule = Orthogonalize.PolarExpressSchedule(10);
        var (a0, b0, c0) = Orthogonalize.PolarExpressRaw[0];

        Assert.Equal(a0 / 1.01, schedule[0].A, 12);
        Assert.Equal(b0 / Math.Pow(1.01, 3), schedule[0].B, 12);
        Assert.Equal(c0 / Math.Pow(1.01, 5), schedule[0].C, 12);
        Assert.Equal(new Orthogonalize.Coefficients(1.875, -1.25, 0.375), schedule[7]);
        Assert.Equal(schedule[7], schedule[9]);
    }
}
