using TorchSharp.Modules;

namespace MuonSharp.Optimizers;

/// <summary>The shape rule shared by every optimizer whose update is defined on matrices.</summary>
internal static class MatrixOnly
{
    /// <summary>Refuses 0-D and 1-D parameters with a message that says where they belong instead.</summary>
    public static void Require(Parameter parameter, string label, string optimizer)
    {
        if (parameter.dim() >= 2) return;
        throw new ArgumentException(
            $"{optimizer} updates matrices only, but parameter {label} is {parameter.dim()}-D. " +
            "Give biases, norm gains, embeddings and the output head to AdamW: Optim.MuonWithAuxAdamW(model.named_parameters(), ...) routes them for you.",
            "parameters");
    }
}
