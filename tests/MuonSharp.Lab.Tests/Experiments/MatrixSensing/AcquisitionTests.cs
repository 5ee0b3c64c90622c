using MuonSharp.Lab.Experiments.MatrixSensing;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Tests.Experiments.MatrixSensing;

public sealed class AcquisitionTests
{
    /// <summary>mass(t) = start + gain·min(t / until, 1) for t = 0..steps: acquired linearly by step <paramref name="until"/>.</summary>
    private static double[] Ramp(double start, double gain, int until, int steps) =>
        Enumerable.Range(0, steps + 1).Select(t => start + gain * Math.Min((double)t / until, 1)).ToArray();

    [Fact]
    public void Given_blocks_growing_from_zero_to_known_steps_then_the_acquisition_steps_and_ATSR_are_those_steps_and_their_ratio()
    {
        var masses = new[] { Ramp(0, 5, 40, 200), Ramp(0, 2, 10, 200), Ramp(0, 1, 80, 200), Ramp(0, 3, 20, 200) };

        var times = masses.Select(m => Acquisition.AcquisitionStep(m, 1.0)).ToArray();
        var half = masses.Select(m => Acquisition.AcquisitionStep(m, 0.5)).ToArray();

        Assert.Equal(new[] { 40, 10, 80, 20 }, times);
        Assert.Equal(new[] { 20, 5, 40, 10 }, half);
        Assert.Equal(8.0, Acquisition.SpreadRatio(masses, 1.0), 12);
        Assert.Equal(8.0, Acquisition.SpreadRatio(masses, 0.5), 12);
    }

    [Fact]
    public void The_threshold_is_a_fraction_of_the_final_mass_not_of_the_mass_gained_since_the_start()
    {
        // From 1 to 3 by step 100: f = 0.5 of the final mass (1.5) is reached at step 25, half the gain (2) only at 50.
        var mass = Ramp(1, 2, 100, 200);

        Assert.Equal(25, Acquisition.AcquisitionStep(mass, 0.5));
    }

    [Fact]
    public void A_block_already_at_its_fraction_at_the_start_makes_ATSR_infinite_and_a_block_ending_empty_makes_it_undefined()
    {
        var early = Ramp(0.95, 0.05, 10, 50);   // 0.95 ≥ 0.9·1.0 at step 0
        var empty = Ramp(1, -1, 10, 50);        // ends at 0

        Assert.Equal(0, Acquisition.AcquisitionStep(early, 0.9));
        Assert.Equal(-1, Acquisition.AcquisitionStep(empty, 0.9));
        Assert.Equal(double.PositiveInfinity, Acquisition.SpreadRatio(new[] { Ramp(0, 1, 10, 50), early }, 0.9));
        Assert.True(double.IsNaN(Acquisition.SpreadRatio(new[] { Ramp(0, 1, 10, 50), empty }, 0.9)));
        Assert.True(double.IsNaN(Acquisition.SpreadRatio(new[] { early, early }, 0.9)));
    }

    [Fact]
    public void Block_masses_are_the_nuclear_norms_of_the_diagonal_blocks_only()
    {
        // Blocks 2×2: 3·I, diag(1, −2), and a rank-one block of norm 5; the off-diagonal blocks must be ignored.
        using var w = zeros(6, 6, dtype: ScalarType.Float64);
        w[0, 0] = 3.0; w[1, 1] = 3.0;
        w[2, 2] = 1.0; w[3, 3] = -2.0;
        w[4, 4] = 3.0; w[4, 5] = 4.0;
        w[0, 5] = 100.0; w[5, 0] = -100.0;

        var masses = Acquisition.BlockMasses(w, 3);

        Assert.Equal(new[] { 6.0, 3.0, 5.0 }, masses.Select(m => Math.Round(m, 10)).ToArray());
    }
}
