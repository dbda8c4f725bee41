//===- ModuleSplitting.cpp - Split an LLVM module for parallel codegen ----===//

#include "ModuleSplitting.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/Instruction.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Transforms/Utils/Cloning.h"
#include "llvm/Transforms/Utils/ValueMapper.h"

#include <algorithm>
#include <memory>

using namespace llvm;

namespace {

unsigned instructionCount(const Function &function) {
  unsigned count = 0;
  for (const BasicBlock &block : function)
    count += block.size();
  return count;
}

/// Calls `visit` with the function of every instruction that uses `value`,
/// directly or through constant expressions; with nullptr for a use from a
/// global variable's initializer.
template <typename Visit>
void forEachUsingFunction(const Value *value, Visit visit) {
  for (const User *user : value->users()) {
    if (const auto *inst = dyn_cast<Instruction>(user))
      visit(inst->getFunction());
    else if (isa<GlobalVariable>(user))
      visit(nullptr);
    else if (isa<Constant>(user))
      forEachUsingFunction(user, visit);
  }
}

} // namespace

std::vector<SmallString<0>>
mlir::ltc::splitModuleByFunction(Module &module, unsigned parts,
                                 ArrayRef<StringRef> together,
                                 unsigned minInstructions) {
  std::vector<SmallString<0>> result;
  if (parts < 2)
    return result;

  // Largest first into the lightest part; `together` anchors part 0.
  DenseMap<const Function *, unsigned> partOf;
  std::vector<unsigned> load(parts, 0);
  std::vector<std::pair<unsigned, Function *>> movable;
  unsigned total = 0;
  for (Function &function : module) {
    if (function.isDeclaration())
      continue;
    unsigned size = instructionCount(function);
    total += size;
    if (llvm::is_contained(together, function.getName())) {
      partOf[&function] = 0;
      load[0] += size;
    } else {
      movable.push_back({size, &function});
    }
  }
  if (total < minInstructions || movable.empty())
    return result;
  llvm::stable_sort(
      movable, [](const auto &a, const auto &b) { return a.first > b.first; });
  for (auto [size, function] : movable) {
    unsigned lightest =
        std::min_element(load.begin(), load.end()) - load.begin();
    partOf[function] = lightest;
    load[lightest] += size;
  }
  auto part = [&](const GlobalValue *value) -> unsigned {
    const auto *function = dyn_cast_or_null<Function>(value);
    if (!function || function->isDeclaration())
      return 0; // global variables live in part 0
    return partOf.lookup(function);
  };

  // A local symbol used from another part becomes external, under a name
  // every part agrees on.
  unsigned unnamed = 0;
  for (GlobalValue &value : module.global_values()) {
    if (value.isDeclaration() || !value.hasLocalLinkage())
      continue;
    bool crossPart = false;
    forEachUsingFunction(&value, [&](const Function *user) {
      crossPart |= part(user) != part(&value);
    });
    if (!crossPart)
      continue;
    if (!value.hasName())
      value.setName("ltc_part_global_" + Twine(unnamed++));
    value.setLinkage(GlobalValue::ExternalLinkage);
    value.setVisibility(GlobalValue::DefaultVisibility);
    // Through the GOT: the parts' objects may be loaded far apart.
    value.setDSOLocal(false);
  }

  // Parts 1..n-1: clones that define only their functions (CloneModule
  // declares everything else), as bitcode.
  for (unsigned index = 1; index < parts; ++index) {
    ValueToValueMapTy map;
    std::unique_ptr<Module> clone =
        CloneModule(module, map, [&](const GlobalValue *value) {
          return isa<Function>(value) && part(value) == index;
        });
    SmallString<0> bitcode;
    raw_svector_ostream os(bitcode);
    WriteBitcodeToFile(*clone, os);
    result.push_back(std::move(bitcode));
  }
  // Part 0, in place.
  for (Function &function : module)
    if (!function.isDeclaration() && part(&function) != 0)
      function.deleteBody();
  return result;
}
