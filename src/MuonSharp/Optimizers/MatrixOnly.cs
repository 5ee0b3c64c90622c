using TorchSharp.Modules;

namespace MuonSharp.Optimizers;

/// <summary>The shape rule shared by every optimizer whose update is defined on matrices.</summary>
internal static class MatrixOnly
{
    /// <summary>Why a 0-D or 1-D parameter is refused, or null for a matrix (or conv filter).</summary>
    public static string? Refusal(Parameter parameter, string optimizer) =>
        parameter.dim() >= 2 ? null : $"{parameter.dim()}-D; {optimizer} updates matrices only";

    /// <summary>Where the refused parameters belong instead.</summary>
    public const string Advice =
        "Give biases, norm gains, embeddings and the output head to AdamW: Optim.MuonWithAuxAdamW(model.named_parameters(), ...) routes them for you.";
}
