// Counts heap blocks through a replaced global operator new/delete (this test binary only), so
// a test can tell whether memory is still held, e.g. by cancelled timers. Per thread: a block
// counts +1 on the thread that allocates it and -1 on the thread that frees it.
#pragma once

namespace weft::test {

// Blocks allocated minus blocks freed by the calling thread, since it started.
long liveAllocationsOnThisThread();

}  // namespace weft::test
