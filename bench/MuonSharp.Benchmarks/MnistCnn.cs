namespace MuonSharp.Benchmarks;

/// <summary>
/// The parameter set of the MNIST CNN of TorchSharp's and PyTorch's MNIST examples, read from the lab's
/// model (<see cref="Lab.Models.MnistCnn"/>: conv 1→32 and 32→64 with 3×3 kernels, max-pool after the
/// second conv, fc 9216→128→10, with biases). The default routing sends the second conv (orthogonalized
/// as [64, 288]) and fc1 [128, 9216] to Muon; the first conv (it sees raw pixels), fc2 (the output layer)
/// and the biases go to AdamW.
/// </summary>
public static class MnistCnn
{
    /// <summary>Every parameter's name and shape, in model order.</summary>
    public static IEnumerable<(string Name, long[] Shape)> Shapes()
    {
        using var model = new Lab.Models.MnistCnn();
        return model.named_parameters().Select(p => (p.name, p.parameter.shape)).ToList();
    }

    /// <summary>The shapes Muon orthogonalizes, flattened to matrices.</summary>
    public static IEnumerable<long[]> MuonShapes()
    {
        yield return new long[] { 64, 288 };
        yield return new long[] { 128, 9216 };
    }
}
