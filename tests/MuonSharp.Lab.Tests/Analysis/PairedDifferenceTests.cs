using MuonSharp.Lab.Analysis;

namespace MuonSharp.Lab.Tests.Analysis;

public class PairedDifferenceTests
{
    [Fact]
    public void The_paired_difference_aligns_seeds_by_number_and_divides_the_spread_by_the_root_of_their_count()
    {
        var a = new Dictionary<int, double> { [2] = 3, [0] = 1, [1] = 2 };
        var b = new Dictionary<int, double> { [0] = 0, [1] = 0, [2] = 0, [3] = 5 };

        var difference = PairedDifference.Of(a, b);

        Assert.Equal(2, difference.Mean, 12);
        Assert.Equal(3, difference.Seeds);
        Assert.Equal(1 / Math.Sqrt(3), difference.StandardError, 12);
        Assert.True(difference.FirstAhead);
        Assert.False(PairedDifference.Of(b, a).FirstAhead);
        Assert.Null(new PairedDifference(0.5, 0.5, 3).FirstAhead);
    }

    [Fact]
    public void All_first_ahead_fails_on_the_furthest_behind_and_is_undecided_on_the_first_tie()
    {
        var ahead = new PairedDifference(1, 0.1, 3);
        var tie = new PairedDifference(0.05, 0.1, 3);
        var behind = new PairedDifference(-1, 0.1, 3);
        var further = new PairedDifference(-2, 0.1, 3);

        Assert.Equal((true, "x"), PairedDifference.AllFirstAhead(new[] { ("x", ahead), ("y", new PairedDifference(2, 0.1, 3)) }));
        Assert.Equal(((bool?)null, "y"), PairedDifference.AllFirstAhead(new[] { ("x", ahead), ("y", tie) }));
        Assert.Equal((false, "z"), PairedDifference.AllFirstAhead(new[] { ("x", tie), ("y", behind), ("z", further) }));
        Assert.Equal(((bool?)null, (string?)null), PairedDifference.AllFirstAhead(Array.Empty<(string, PairedDifference)>()));
    }
}
