using MuonSharp.Lab.Experiments.Routing;
using TorchSharp;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Tests.Experiments.Routing;

public sealed class RoutingTaskTests
{
    [Fact]
    public void With_three_domains_each_input_is_trained_with_itself_and_the_next_output_only()
    {
        var pairs = RoutingTask.TrainedPairsOf(3);

        Assert.Equal(new[] { (0, 0), (0, 1), (1, 1), (1, 2), (2, 2), (2, 0) }, pairs);
        Assert.False(RoutingTask.IsTrained(3, 0, 2));
        Assert.False(RoutingTask.IsTrained(3, 1, 0));
        Assert.False(RoutingTask.IsTrained(3, 2, 1));
        Assert.All(pairs, p => Assert.True(RoutingTask.IsTrained(3, p.Input, p.Output)));
    }

    [Fact]
    public void Every_input_domain_has_its_own_orthonormal_codes_and_the_targets_are_orthonormal()
    {
        using var generator = new Generator(7);
        using var task = new RoutingTask(domains: 3, items: 4, codeDimension: 8, generator);

        Assert.Equal(new long[] { 3, 8, 4 }, task.Codes.shape);
        for (int i = 0; i < 3; i++)
        {
            var gram = task.Codes[i].t().matmul(task.Codes[i]);                       // [4, 4]
            Assert.True(gram.allclose(eye(4, dtype: ScalarType.Float64), atol: 1e-12));
        }
        Assert.True(task.Targets.t().matmul(task.Targets).allclose(eye(4, dtype: ScalarType.Float64), atol: 1e-12));
        Assert.False(task.Codes[0].allclose(task.Codes[1], atol: 1e-3));
    }

    [Fact]
    public void A_batch_holds_one_sample_of_every_trained_pair_with_its_code_and_target()
    {
        using var generator = new Generator(3);
        using var task = new RoutingTask(domains: 3, items: 4, codeDimension: 6, generator);

        var (input, output, x, y) = task.Batch(generator, allItems: false);

        Assert.Equal(new long[] { 0, 0, 1, 1, 2, 2 }, input.data<long>().ToArray());
        Assert.Equal(new long[] { 0, 1, 1, 2, 2, 0 }, output.data<long>().ToArray());
        // Each row of x is some item's code in its input domain; the matching row of y is that item's target.
        for (int s = 0; s < 6; s++)
        {
            var scores = task.Codes[input[s].item<long>()].t().matmul(x[s]);           // [4]: one 1, the rest 0
            long item = scores.argmax().item<long>();
            Assert.Equal(1.0, scores[item].item<double>(), 10);
            Assert.True(y[s].allclose(task.Targets[.., item], atol: 1e-12));
        }
    }

    [Fact]
    public void The_full_batch_holds_every_item_of_every_trained_pair()
    {
        using var generator = new Generator(3);
        using var task = new RoutingTask(domains: 4, items: 4, codeDimension: 4, generator);

        var (input, _, _, _) = task.Batch(generator, allItems: true);

        Assert.Equal(2 * 4 * 4, input.shape[0]);
    }

    [Fact]
    public void The_same_seed_draws_the_same_task()
    {
        using var g1 = new Generator(11);
        using var g2 = new Generator(11);
        using var a = new RoutingTask(3, 4, 8, g1);
        using var b = new RoutingTask(3, 4, 8, g2);

        Assert.True(a.Codes.eq(b.Codes).all().item<bool>());
        Assert.True(a.Targets.eq(b.Targets).all().item<bool>());
    }
}
