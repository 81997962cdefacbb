#include "reference/contract/status.h"

namespace qdq {

std::string_view code_name(Code c) {
  switch (c) {
    case Code::Ok: return "Ok";
    case Code::InvalidArgument: return "InvalidArgument";
    case Code::NotFound: return "NotFound";
    case Code::Unimplemented: return "Unimplemented";
    case Code::ProcessAbort: return "ProcessAbort";
  }
  return "?";
}

}  // namespace qdq
