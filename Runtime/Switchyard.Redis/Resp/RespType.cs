namespace Switchyard.Redis.Resp;

/// <summary>The reply types of RESP2 and RESP3.</summary>
internal enum RespType : byte
{
    SimpleString,
    Error,
    Integer,
    BulkString,
    Array,
    Null,
    Double,
    Boolean,
    BigNumber,
    VerbatimString,
    Map,
    Set,
    Push,
}
