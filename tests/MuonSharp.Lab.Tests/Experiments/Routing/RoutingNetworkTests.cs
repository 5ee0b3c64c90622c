using MuonSharp.Lab.Experiments.Routing;
using TorchSharp;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Tests.Experiments.Routing;

public sealed class RoutingNetworkTests
{
    [Theory]
    [InlineData(6, 3)]
    [InlineData(3, 6)]
    [InlineData(5, 5)]
    public void Orthogonal_init_has_every_singular_value_equal_to_the_gain(int rows, int cols)
    {
        using var generator = new Generator(1);

        using var w = RoutingNetwork.Orthogonal(rows, cols, 0.2, generator);

        Assert.Equal(new long[] { rows, cols }, w.shape);
        Assert.All(Spectral.SingularValues(w), s => Assert.Equal(0.2, s, 12));
    }

    [Fact]
    public void The_forward_pass_is_decoder_times_shared_times_encoder_of_the_samples_pair()
    {
        using var generator = new Generator(2);
        using var network = new RoutingNetwork(domains: 3, codeDimension: 4, hiddenWidth: 5, gain: 1.0, generator);
        var x = randn(2, 4, dtype: ScalarType.Float64, generator: generator);

        var y = network.Forward(tensor(new long[] { 2, 0 }), tensor(new long[] { 1, 2 }), x);

        var expected0 = network.Decoders[1].matmul(network.Shared).matmul(network.Encoders[2]).matmul(x[0]);
        var expected1 = network.Decoders[2].matmul(network.Shared).matmul(network.Encoders[0]).matmul(x[1]);
        Assert.True(y[0].allclose(expected0, atol: 1e-12));
        Assert.True(y[1].allclose(expected1, atol: 1e-12));
    }

    [Fact]
    public void Pair_evaluation_of_a_network_predicting_zero_gives_error_one_everywhere()
    {
        using var generator = new Generator(4);
        using var task = new RoutingTask(3, 4, 4, generator);
        using var network = new RoutingNetwork(3, 4, 8, 0.2, generator);
        using (no_grad()) network.Shared.zero_();

        var (errors, _) = network.EvaluatePairs(task);

        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                Assert.Equal(1.0, errors[i, j], 12);
    }

    [Fact]
    public void A_network_wired_to_the_shared_solution_has_zero_error_and_full_item_accuracy_on_every_pair()
    {
        // E_i = C_iᵀ maps domain i's codes to the item basis, D_j = Y maps it to the targets: the
        // shared representation, correct on untrained pairs too.
        using var generator = new Generator(5);
        using var task = new RoutingTask(3, 4, 4, generator);
        using var network = new RoutingNetwork(3, 4, 4, 0.2, generator);
        using (no_grad())
        {
            for (int i = 0; i < 3; i++) network.Encoders[i].copy_(task.Codes[i].t());
            network.Shared.copy_(eye(4, dtype: ScalarType.Float64));
            foreach (var d in network.Decoders) d.copy_(task.Targets);
        }

        var (errors, accuracy) = network.EvaluatePairs(task);

        var (trained, untrained) = RoutingTraining.SplitPairs(errors);
        Assert.True(trained < 1e-20 && untrained < 1e-20);
        Assert.Equal(1.0, RoutingTraining.SplitPairs(accuracy).Untrained);
    }

    [Fact]
    public void Split_pairs_averages_the_trained_and_the_untrained_cells_separately()
    {
        // K = 3: trained cells are (0,0) (0,1) (1,1) (1,2) (2,2) (2,0); untrained (0,2) (1,0) (2,1).
        var table = new double[,] { { 1, 1, 7 }, { 4, 1, 1 }, { 1, 10, 1 } };

        var (trained, untrained) = RoutingTraining.SplitPairs(table);

        Assert.Equal(1.0, trained);
        Assert.Equal(7.0, untrained);
    }
}
