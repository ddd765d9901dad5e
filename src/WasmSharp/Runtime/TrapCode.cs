namespace WasmSharp.Runtime;

/// <summary>Why execution trapped. <see cref="TrapCodes.Message"/> gives the spec's wording for each.</summary>
public enum TrapCode
{
    /// <summary>The <c>unreachable</c> instruction ran.</summary>
    Unreachable,
    IntegerDivideByZero,
    IntegerOverflow,
    InvalidConversionToInteger,
    MemoryOutOfBounds,
    TableOutOfBounds,
    /// <summary>call_indirect found a function of the wrong type.</summary>
    IndirectCallTypeMismatch,
    /// <summary>call_indirect found a null table entry.</summary>
    UninitializedElement,
    /// <summary>call_indirect used an index past the end of the table.</summary>
    UndefinedElement,
    NullReference,
    NullFunctionReference,
    NullStructReference,
    NullArrayReference,
    NullI31Reference,
    /// <summary>throw_ref of a null exnref.</summary>
    NullExceptionReference,
    ArrayOutOfBounds,
    CastFailure,
    /// <summary>The Wasm call stack (the thread's stack, minus a reserve) ran out.</summary>
    CallStackExhausted,
    /// <summary>Fuel metering is on and the store's fuel reached zero.</summary>
    OutOfFuel,
    /// <summary>Epoch interruption is on and the store's deadline passed.</summary>
    Interrupted,
    /// <summary>A host function threw; the original exception is the inner exception.</summary>
    HostException,
}

public static class TrapCodes
{
    /// <summary>The message the spec test suite expects for a trap (assert_trap / assert_exhaustion).</summary>
    public static string Message(TrapCode code) => code switch
    {
        TrapCode.Unreachable => "unreachable",
        TrapCode.IntegerDivideByZero => "integer divide by zero",
        TrapCode.IntegerOverflow => "integer overflow",
        TrapCode.InvalidConversionToInteger => "invalid conversion to integer",
        TrapCode.MemoryOutOfBounds => "out of bounds memory access",
        TrapCode.TableOutOfBounds => "out of bounds table access",
        TrapCode.IndirectCallTypeMismatch => "indirect call type mismatch",
        TrapCode.UninitializedElement => "uninitialized element",
        TrapCode.UndefinedElement => "undefined element",
        TrapCode.NullReference => "null reference",
        TrapCode.NullFunctionReference => "null function reference",
        TrapCode.NullStructReference => "null structure reference",
        TrapCode.NullArrayReference => "null array reference",
        TrapCode.NullI31Reference => "null i31 reference",
        TrapCode.NullExceptionReference => "null exception reference",
        TrapCode.ArrayOutOfBounds => "out of bounds array access",
        TrapCode.CastFailure => "cast failure",
        TrapCode.CallStackExhausted => "call stack exhausted",
        TrapCode.OutOfFuel => "all fuel consumed",
        TrapCode.Interrupted => "interrupt",
        TrapCode.HostException => "host function failed",
        _ => code.ToString(),
    };
}
